using System.Globalization;
using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>Reading the parts of a script's reply (used by the typed reply decoders only).</summary>
internal static class ReplyParts
{
    public static string Str(this RedisResult result) => (string?)result ?? "";

    public static int Int(this RedisResult result) => int.Parse(result.Str(), CultureInfo.InvariantCulture);

    public static long Long(this RedisResult result) => long.Parse(result.Str(), CultureInfo.InvariantCulture);

    public static DateTimeOffset Time(this RedisResult result) => DateTimeOffset.FromUnixTimeMilliseconds(result.Long());

    public static RedisResult[] Parts(this RedisResult result) => (RedisResult[])result!;

    public static Dictionary<string, string> Map(this RedisResult result)
    {
        var pairs = result.Parts();
        var map = new Dictionary<string, string>(pairs.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < pairs.Length; i += 2)
        {
            map[pairs[i].Str()] = pairs[i + 1].Str();
        }

        return map;
    }
}
