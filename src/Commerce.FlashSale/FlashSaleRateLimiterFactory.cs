using System.Threading.RateLimiting;
using Commerce.FlashSale.Internal;
using Microsoft.Extensions.Options;

namespace Commerce.FlashSale;

/// <summary>Creates <see cref="FlashSaleRateLimiter"/>s (registered in DI by <c>AddCommerceFlashSale</c>).</summary>
public sealed class FlashSaleRateLimiterFactory
{
    private readonly FlashSaleConnections _connections;
    private readonly FlashSaleKeys _keys;
    private readonly FlashSaleOptions _options;
    private readonly SaleClock _clock;
    private readonly TimeProvider _time;

    internal FlashSaleRateLimiterFactory(FlashSaleConnections connections, FlashSaleKeys keys, IOptions<FlashSaleOptions> options, SaleClock clock, TimeProvider time)
    {
        _connections = connections;
        _keys = keys;
        _options = options.Value;
        _clock = clock;
        _time = time;
    }

    /// <summary>The limiter of <paramref name="userId"/> at <paramref name="saleId"/>.</summary>
    /// <param name="saleId">The sale.</param>
    /// <param name="userId">The user.</param>
    /// <returns>A limiter sharing its budget, through Redis, with every other limiter of the same user and sale.</returns>
    public RateLimiter Create(Guid saleId, string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return new FlashSaleRateLimiter(_connections, _keys.For(saleId), userId, _options.RateLimitPermits, _options.RateLimitPeriod, _clock, _time);
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
