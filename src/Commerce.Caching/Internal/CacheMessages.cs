using System.Globalization;

namespace Commerce.Caching.Internal;

/// <summary>
/// Messages on the invalidation channel, one character of kind first:
/// <c>s{generation}|{scope}</c>, <c>t{generation}|{tag}</c> (tag <c>*</c>: everything), <c>k{version}|{instance}|{key}</c>
/// (an instance set or removed a key; Redis gave the write that version), <c>f{key}</c> (a leased value was written),
/// <c>h{sequence}|{instance}</c> (heartbeat).
/// </summary>
internal static class CacheMessages
{
    public const char Scope = 's';
    public const char Tag = 't';
    public const char Key = 'k';
    public const char Fill = 'f';
    public const char Heartbeat = 'h';

    /// <summary>The message of a set or remove, but its kind and version (which Redis adds).</summary>
    public static WriteMessage KeyChanged(string instance, string key) => new(Key, "|" + instance + "|" + key);

    public static WriteMessage Filled(string key) => new(Fill, key);

    /// <summary>Splits <c>{version}|{instance}|{key}</c> after the kind character.</summary>
    public static bool TryParseKeyChanged(string message, out long version, out string instance, out string key)
    {
        instance = key = "";
        if (!TryParseNumbered(message, out version, out var rest))
        {
            return false;
        }

        var bar = rest.IndexOf('|', StringComparison.Ordinal);
        if (bar < 0)
        {
            return false;
        }

        instance = rest[..bar];
        key = rest[(bar + 1)..];
        return true;
    }

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
