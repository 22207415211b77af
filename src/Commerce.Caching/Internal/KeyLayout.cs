using StackExchange.Redis;

namespace Commerce.Caching.Internal;

/// <summary>
/// The Redis keys of the cache. Every key of one scope carries the scope as its hash tag
/// (<c>prefix:{scope}:...</c>), so a scope's value, lease and generation keys live in one hash slot and a
/// script may touch them together on Redis Cluster. An unscoped entry uses its own key as hash tag; so does the
/// pointer from a key to the scope it was written under.
/// </summary>
internal sealed class KeyLayout(string prefix)
{
    public RedisChannel Channel { get; } = RedisChannel.Literal(prefix + ":invalidation");

    public RedisKey Value(string key, string? scope) =>
        scope is null ? $"{prefix}:u:{{{key}}}:v" : $"{prefix}:{{{scope}}}:v:{key}";

    public RedisKey Lease(string key, string? scope) =>
        scope is null ? $"{prefix}:u:{{{key}}}:l" : $"{prefix}:{{{scope}}}:l:{key}";

    /// <summary>The scope a key was last written under (for a remove that names no scope).</summary>
    public RedisKey ScopeOf(string key) => $"{prefix}:u:{{{key}}}:s";

    public RedisKey ScopeGeneration(string scope) => $"{prefix}:{{{scope}}}:g";

    public RedisKey TagGeneration(string tag) => $"{prefix}:t:{tag}";
}
