using System.Threading.RateLimiting;
using Commerce.FlashSale.Internal;
using Microsoft.Extensions.Options;

namespace Commerce.FlashSale;

/// <summary>Creates <see cref="FlashSaleRateLimiter"/>s (registered in DI by <c>AddCommerceFlashSale</c>).</summary>
public sealed class FlashSaleRateLimiterFactory
{
    private readonly FlashSaleConnections _connections;
    private readonly SaleBuckets _buckets;
    private readonly FlashSaleOptions _options;
    private readonly SaleClock _clock;
    private readonly TimeProvider _time;

    internal FlashSaleRateLimiterFactory(FlashSaleConnections connections, SaleBuckets buckets, IOptions<FlashSaleOptions> options, SaleClock clock, TimeProvider time)
    {
        _connections = connections;
        _buckets = buckets;
        _options = options.Value;
        _clock = clock;
        _time = time;
    }

    /// <summary>The limiter of <paramref name="userId"/> at <paramref name="saleId"/>.</summary>
    /// <param name="saleId">The sale.</param>
    /// <param name="userId">The user.</param>
    /// <returns>
    /// A limiter sharing its budget, through Redis, with every other limiter of the same user and sale, and with the
    /// reserve calls' own limit (on a sale split over buckets, in the user's bucket).
    /// </returns>
    public RateLimiter Create(Guid saleId, string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        async ValueTask<StackExchange.Redis.RedisKey[]> Keys() => _buckets.For(saleId, userId, await _buckets.CountAsync(saleId).ConfigureAwait(false));
        return new FlashSaleRateLimiter(_connections, Keys, userId, _options.RateLimitPermits, _options.RateLimitPeriod, _clock, _time);
    }

    /// <summary>A partition for <see cref="PartitionedRateLimiter.Create{TResource, TPartitionKey}"/> (ASP.NET Core's <c>AddPolicy</c>).</summary>
    /// <typeparam name="TKey">The partition key type.</typeparam>
    /// <param name="partitionKey">The partition key (for example the user and sale).</param>
    /// <param name="saleId">The sale.</param>
    /// <param name="userId">The user.</param>
    /// <returns>The partition.</returns>
    public RateLimitPartition<TKey> Partition<TKey>(TKey partitionKey, Guid saleId, string userId) =>
        RateLimitPartition.Get(partitionKey, _ => Create(saleId, userId));
}
