using StackExchange.Redis;

namespace Commerce.Caching.Internal;

/// <summary>
/// The Redis keys of the cache. Every key of one scope carries the scope as its hash tag
/// (<c>prefix:{scope}:...</c>), so a scope's value, lease and generation keys live in one hash slot and a
/// script may touch them together on Redis Cluster. An unscoped entry uses its own key as hash tag.
/// </summary>
internal sealed class KeyLayout(string prefix)
{
    public RedisChannel Channel { get; } = RedisChannel.Literal(prefix + ":invalidation");

    public RedisKey Value(string key, string? scope) =>
        scope is null ? $"{prefix}:u:{{{key}}}:v" : $"{prefix}:{{{scope}}}:v:{key}";

    public RedisKey Lease(string key, string? scope) =>
        scope is null ? $"{prefix}:u:{{{key}}}:l" : $"{prefix}:{{{scope}}}:l:{key}";

    public RedisKey ScopeGeneration(string scope) => $"{prefix}:{{{scope}}}:g";

    public RedisKey TagGeneration(string tag) => $"{prefix}:t:{tag}";
}
