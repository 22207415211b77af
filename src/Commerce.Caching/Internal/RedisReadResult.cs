namespace Commerce.Caching.Internal;

/// <summary>What one read of the Redis level returned.</summary>
/// <param name="Ok">False when Redis could not be asked (down, slow, breaker open).</param>
/// <param name="Value">The raw entry, when <paramref name="Found"/>.</param>
/// <param name="Found">True when Redis held an entry for the key (fresh or not).</param>
/// <param name="ScopeGeneration">The scope's current generation, for a scoped key.</param>
internal readonly record struct RedisReadResult(bool Ok, ReadOnlyMemory<byte> Value, bool Found, long ScopeGeneration);
