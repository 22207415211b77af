using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// The sale clock: Redis' own (one clock for all instances, the default) or the TimeProvider's (for tests with a fake
/// clock). Scripts take it as their "now" argument: empty for Redis' clock, else unix ms.
/// </summary>
internal sealed class SaleClock(IOptions<FlashSaleOptions> options, TimeProvider time)
{
    private readonly FlashSaleClock _clock = options.Value.Clock;

    public RedisValue Now() => _clock == FlashSaleClock.Redis ? RedisValue.EmptyString : time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// The sale clock's time for a comparison made in PostgreSQL: the TimeProvider's in that mode; null for Redis' clock,
    /// for which PostgreSQL's own stands in (one clock for every instance, within seconds of Redis' on any real setup).
    /// </summary>
    public DateTimeOffset? PostgresNow() => _clock == FlashSaleClock.Redis ? null : time.GetUtcNow();

    /// <summary>The sale clock's time, read from Redis when that is the clock.</summary>
    public async Task<DateTimeOffset> NowAsync(IDatabase db)
    {
        if (_clock != FlashSaleClock.Redis)
        {
            return time.GetUtcNow();
        }

        var parts = (RedisResult[])(await db.ExecuteAsync("TIME").ConfigureAwait(false))!;
        var seconds = long.Parse((string)parts[0]!, CultureInfo.InvariantCulture);
        var micros = long.Parse((string)parts[1]!, CultureInfo.InvariantCulture);
        return DateTimeOffset.FromUnixTimeMilliseconds((seconds * 1000) + (micros / 1000));
    }
}
