using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// The Redis keys of each sale: <c>prefix:{saleId}:name</c>. The braces are the Redis Cluster hash tag, so all of a
/// sale's keys live in one slot and one script may touch them together. See <c>Internal/Scripts/prelude.lua</c>.
/// </summary>
internal sealed class FlashSaleKeys(string prefix)
{
    private static readonly string[] Names = ["sale", "items", "holds", "res", "exp", "journal", "rate"];
    private readonly ConcurrentDictionary<Guid, RedisKey[]> _cache = new();

    /// <summary>The seven script keys of a sale, cached (StackExchange.Redis does not modify key arrays).</summary>
    public RedisKey[] For(Guid saleId) =>
        _cache.GetOrAdd(saleId, static (id, p) => Names.Select(n => (RedisKey)$"{p}:{{{id:N}}}:{n}").ToArray(), prefix);

    public RedisKey Journal(Guid saleId) => For(saleId)[5];

    public RedisKey Expiry(Guid saleId) => For(saleId)[4];

    public RedisKey Reservations(Guid saleId) => For(saleId)[3];

    /// <summary>The lease under which one instance drains or rebuilds a sale.</summary>
    public RedisKey DrainLease(Guid saleId) => $"{prefix}:{{{saleId:N}}}:drain";
}
