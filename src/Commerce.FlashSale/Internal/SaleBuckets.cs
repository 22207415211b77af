using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// How many buckets each sale's stock is split over (<see cref="FlashSaleDefinition.Buckets"/>), learned once from
/// Redis (bucket 0 records it) and kept, since it never changes; and which bucket serves a shopper: a hash of the user
/// id, so all of a shopper's holds, limit and rate live in one bucket and stay atomic.
/// </summary>
internal sealed class SaleBuckets(FlashSaleConnections connections, FlashSaleKeys keys)
{
    private readonly ConcurrentDictionary<Guid, int> _counts = new();

    /// <summary>The sale's bucket count; 1 when Redis does not hold the sale (its bucket 0 then answers "no sale").</summary>
    public async ValueTask<int> CountAsync(Guid saleId)
    {
        if (_counts.TryGetValue(saleId, out var known))
        {
            return known;
        }

        var db = await connections.RedisAsync().ConfigureAwait(false);
        var stored = await RedisErrors.RunAsync(() => db.HashGetAsync(keys.For(saleId)[0], "buckets")).ConfigureAwait(false);
        if (stored.IsNull)
        {
            return 1;
        }

        return _counts[saleId] = (int)stored;
    }

    /// <summary>Records a count known from the definition (at creation and rebuild).</summary>
    public void Remember(Guid saleId, int count) => _counts[saleId] = count;

    /// <summary>The bucket serving <paramref name="userId"/> in a sale of <paramref name="count"/> buckets.</summary>
    public static int Of(string userId, int count)
    {
        if (count == 1)
        {
            return 0;
        }

        // FNV-1a over the UTF-16 code units: stable across processes and versions (string.GetHashCode is not).
        var hash = 2166136261u;
        foreach (var c in userId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)count);
    }

    /// <summary>The keys of the bucket serving <paramref name="userId"/>.</summary>
    public RedisKey[] For(Guid saleId, string userId, int count) => keys.For(saleId, Of(userId, count), count);

    /// <summary>The keys of every bucket, bucket 0 first.</summary>
    public IEnumerable<(int Bucket, RedisKey[] Keys)> All(Guid saleId, int count) =>
        Enumerable.Range(0, count).Select(b => (b, keys.For(saleId, b, count)));
}
