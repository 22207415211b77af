using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// The Redis keys of each sale: <c>prefix:{saleId}:name</c>. The braces are the Redis Cluster hash tag, so all of a
/// sale's keys live in one slot and one script may touch them together. A sale whose stock is split over K buckets
/// (<see cref="FlashSaleDefinition.Buckets"/>) has K such key sets: bucket 0 is <c>{saleId}</c> (the layout of a sale of
/// one bucket), bucket b a tag <c>{saleId/b/n}</c> whose slot falls in the b-th of K equal ranges of the slot space (the
/// first n that does), so on a cluster whose slots are split evenly over K primaries each bucket has its own primary.
/// See <c>Internal/Scripts/prelude.lua</c>.
/// </summary>
internal sealed class FlashSaleKeys(string prefix)
{
    private const int Slots = 16384;
    private static readonly string[] Names = ["sale", "items", "holds", "res", "exp", "journal", "rate"];
    private readonly ConcurrentDictionary<(Guid Sale, int Bucket, int Of), RedisKey[]> _cache = new();

    /// <summary>The seven script keys of a sale (of its bucket 0), cached (StackExchange.Redis does not modify key arrays).</summary>
    public RedisKey[] For(Guid saleId) => For(saleId, 0, 1);

    /// <summary>The seven script keys of bucket <paramref name="bucket"/> of a sale split over <paramref name="of"/> buckets.</summary>
    public RedisKey[] For(Guid saleId, int bucket, int of) =>
        _cache.GetOrAdd((saleId, bucket, bucket == 0 ? 1 : of), static (k, p) =>
        {
            var tag = Tag(k.Sale, k.Bucket, k.Of);
            return Names.Select(n => (RedisKey)$"{p}:{{{tag}}}:{n}").ToArray();
        }, prefix);

    /// <summary>The waiting room's queue of a sale (a sorted set of users, in bucket 0's slot).</summary>
    public RedisKey Queue(Guid saleId) => $"{prefix}:{{{saleId:N}}}:queue";

    /// <summary>The lease under which one instance drains or rebuilds a sale (all its buckets).</summary>
    public RedisKey DrainLease(Guid saleId) => $"{prefix}:{{{saleId:N}}}:drain";

    /// <summary>The hash tag of a bucket: bucket 0 is the sale id; bucket b the first <c>id/b/n</c> in its slot range.</summary>
    internal static string Tag(Guid saleId, int bucket, int of)
    {
        var home = saleId.ToString("N");
        if (bucket == 0)
        {
            return home;
        }

        // Bucket 0 sits where its id hashes; the other buckets take the other ranges, in order.
        var homeRange = HashSlot(home) * of / Slots;
        var range = bucket <= homeRange ? bucket - 1 : bucket;
        for (var n = 0; ; n++)
        {
            var tag = $"{home}/{bucket}/{n}";
            if (HashSlot(tag) * of / Slots == range)
            {
                return tag;
            }
        }
    }

    /// <summary>The Redis Cluster slot of a hash tag: CRC16 (XMODEM) mod 16384, as the cluster specification defines it.</summary>
    internal static int HashSlot(string tag)
    {
        ushort crc = 0;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(tag))
        {
            crc ^= (ushort)(b << 8);
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }
        }

        return crc % Slots;
    }
}
