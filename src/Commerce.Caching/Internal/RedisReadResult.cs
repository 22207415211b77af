namespace Commerce.Caching.Internal;

/// <summary>What one read of an entry found in Redis: nothing usable when <see cref="Ok"/> is false (Redis unreachable).</summary>
/// <param name="Ok">Redis answered.</param>
/// <param name="Value">The entry's bytes, when <paramref name="Found"/>.</param>
/// <param name="Found">An entry (or a tombstone) exists.</param>
/// <param name="ScopeGeneration">The scope's generation read in the same round trip (0 for an unscoped key).</param>
internal readonly record struct RedisReadResult(bool Ok, ReadOnlyMemory<byte> Value, bool Found, long ScopeGeneration);
