using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>The reply of <c>drain_read.lua</c>: the epoch of the Redis state and its oldest journal entries.</summary>
internal sealed record DrainBatch(long? Epoch, IReadOnlyList<(RedisValue Id, Dictionary<string, string> Fields)> Entries)
{
    public static DrainBatch Decode(RedisResult result)
    {
        var parts = result.Parts();
        long? epoch = parts[0].IsNull ? null : parts[0].Long();
        var entries = new List<(RedisValue, Dictionary<string, string>)>();
        foreach (var entry in parts[1].Parts())
        {
            var pair = entry.Parts();
            entries.Add(((RedisValue)pair[0].Str(), pair[1].Map()));
        }

        return new DrainBatch(epoch, entries);
    }
}
