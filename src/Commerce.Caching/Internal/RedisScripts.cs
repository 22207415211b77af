namespace Commerce.Caching.Internal;

/// <summary>
/// The Lua scripts of the Redis level. Each touches keys of one hash slot only (the scope's), so they run on
/// Redis Cluster. A generation that does not exist yet starts at the server's time in microseconds, so a
/// generation key lost to eviction comes back larger than any value it had, never equal to an old one.
/// Numbers pass through <c>string.format('%d')</c> because Lua prints large doubles in exponent form.
/// </summary>
internal static class RedisScripts
{
    private const string EnsureGeneration =
        """
        local function ensure(key)
          local g = redis.call('GET', key)
          if not g then
            local t = redis.call('TIME')
            g = t[1] .. string.format('%06d', tonumber(t[2]))
            redis.call('SET', key, g)
          end
          return g
        end

        """;

    /// <summary>
    /// Reads an entry and, for a scoped key, the scope's current generation, in one round trip.
    /// KEYS: value[, scope generation]. Returns { value or nil, generation or nil }.
    /// </summary>
    public const string Read = EnsureGeneration +
        """
        local v = redis.call('GET', KEYS[1])
        local g = false
        if KEYS[2] then g = ensure(KEYS[2]) end
        return { v, g }
        """;

    /// <summary>Reads a generation, creating it when missing. KEYS: generation. Returns the generation.</summary>
    public const string ReadGeneration = EnsureGeneration + "return ensure(KEYS[1])";

    /// <summary>
    /// Invalidates a scope or tag: increments its generation and announces the new value to every instance.
    /// KEYS: generation. ARGV: channel, message kind, name. Returns the new generation.
    /// </summary>
    public const string Invalidate = EnsureGeneration +
        """
        ensure(KEYS[1])
        local n = redis.call('INCR', KEYS[1])
        redis.call('PUBLISH', ARGV[1], ARGV[2] .. string.format('%d', n) .. '|' .. ARGV[3])
        return n
        """;

    /// <summary>Deletes an entry and tells every instance to drop it from memory. KEYS: value. ARGV: channel, message.</summary>
    public const string Remove =
        """
        redis.call('UNLINK', KEYS[1])
        redis.call('PUBLISH', ARGV[1], ARGV[2])
        return 1
        """;

    /// <summary>Releases a stampede lease if it is still ours. KEYS: lease. ARGV: token.</summary>
    public const string ReleaseLease =
        """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    /// <summary>
    /// Writes the value computed under the stampede lease, releases the lease if still ours, and wakes the
    /// instances waiting for it. KEYS: value, lease. ARGV: payload, ttl ms, lease token, channel, message.
    /// </summary>
    public const string Fill =
        """
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
        redis.call('PUBLISH', ARGV[4], ARGV[5])
        return 1
        """;
}
