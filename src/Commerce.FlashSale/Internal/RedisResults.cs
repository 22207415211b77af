using System.Globalization;
using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>Reading the values the scripts return, and translating Redis failures.</summary>
internal static class RedisResults
{
    public static string Str(this RedisResult result) => (string?)result ?? "";

    public static int Int(this RedisResult result) => int.Parse(result.Str(), CultureInfo.InvariantCulture);

    public static long Long(this RedisResult result) => long.Parse(result.Str(), CultureInfo.InvariantCulture);

    public static DateTimeOffset Time(this RedisResult result) => DateTimeOffset.FromUnixTimeMilliseconds(result.Long());

    public static DateTimeOffset Time(string value) => DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(value, CultureInfo.InvariantCulture));

    public static async Task<T> Run<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (RedisException e)
        {
            throw new FlashSaleUnavailableException("Redis failed: " + e.Message, e);
        }
        catch (TimeoutException e)
        {
            throw new FlashSaleUnavailableException("Redis did not answer in time: " + e.Message, e);
        }
    }

    /// <summary>Parses a reservation record <c>state|version|user|product|quantity|created|expires</c>.</summary>
    public static Reservation ParseReservation(Guid saleId, string id, string record)
    {
        var f = record.Split('|');
        return new Reservation(
            saleId,
            id,
            f[2],
            f[3],
            int.Parse(f[4], CultureInfo.InvariantCulture),
            PostgresFlashSaleStore.ParseState(f[0]),
            int.Parse(f[1], CultureInfo.InvariantCulture),
            Time(f[5]),
            Time(f[6]));
    }
}
