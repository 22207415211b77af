namespace Commerce.Caching.Internal;

/// <summary>An entry of the memory level. Fields are written before the entry is published and never after, except <see cref="LastAccess"/>.</summary>
internal sealed class MemoryEntry
{
    /// <summary>The type the value was cached as; a read as another type is a miss.</summary>
    public required Type Type { get; init; }

    /// <summary>The value, for a type every caller may share (see <see cref="ImmutableType{T}"/>); else null.</summary>
    public required object? Value { get; init; }

    /// <summary>For a mutable type, the serialized value: each caller deserializes its own copy.</summary>
    public required byte[]? Payload { get; init; }

    /// <summary>
    /// The version of the write that produced the entry: this instance's until Redis gives the write its own (then it
    /// is that one, so the entry is recognised when read back from Redis).
    /// </summary>
    public long Version
    {
        get => Volatile.Read(ref _version);
        set => Volatile.Write(ref _version, value);
    }

    /// <summary>The scope the entry was cached under, or null.</summary>
    public required string? Scope { get; init; }

    public required GenerationState? ScopeState { get; init; }

    public required long ScopeGeneration { get; init; }

    public required long GlobalGeneration { get; init; }

    public required TagStamp[] Tags { get; init; }

    /// <summary>The instance's trust epoch when the entry was made; entries of an older epoch are checked against Redis before they are served.</summary>
    public required long Epoch { get; init; }

    /// <summary>UTC ticks as of which the value was known to be current.</summary>
    public required long CreatedAt { get; init; }

    /// <summary>UTC ticks until which the entry is fresh in memory.</summary>
    public required long FreshUntil { get; init; }

    /// <summary>UTC ticks until which the entry is kept to be served by fail-safe (at least <see cref="FreshUntil"/>).</summary>
    public required long RetainUntil { get; init; }

    /// <summary>
    /// UTC ticks at which the value itself stopped being fresh (its duration's end, which <see cref="FreshUntil"/> may
    /// come before): a fail-safe reader counts its own <c>FailSafeMaxDuration</c> from here.
    /// </summary>
    public required long ExpiresAt { get; init; }

    /// <summary>UTC ticks of the last read, kept coarse (at most one write a second) for eviction.</summary>
    public long LastAccess;

    private long _version;
}
