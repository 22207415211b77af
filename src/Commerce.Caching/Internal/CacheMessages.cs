using System.Globalization;

namespace Commerce.Caching.Internal;

/// <summary>
/// Messages on the invalidation channel, one character of kind first:
/// <c>s{generation}|{scope}</c>, <c>t{generation}|{tag}</c> (tag <c>*</c>: everything), <c>k{key}</c> (key removed),
/// <c>f{key}</c> (a leased value was written), <c>h{instance}|{sequence}</c> (heartbeat).
/// </summary>
internal static class CacheMessages
{
    public const char Scope = 's';
    public const char Tag = 't';
    public const char Key = 'k';
    public const char Fill = 'f';
    public const char Heartbeat = 'h';

    public static string KeyRemoved(string key) => Key + key;

    public static string Filled(string key) => Fill + key;

    public static string HeartbeatOf(string instance, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{Heartbeat}{sequence}|{instance}");

    /// <summary>Splits <c>{number}|{name}</c> after the kind character.</summary>
    public static bool TryParseNumbered(string message, out long number, out string name)
    {
        var bar = message.IndexOf('|', 1);
        name = bar < 0 ? "" : message[(bar + 1)..];
        number = 0;
        return bar > 1 && long.TryParse(message.AsSpan(1, bar - 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out number);
    }
}
