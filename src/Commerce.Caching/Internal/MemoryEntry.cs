namespace Commerce.Caching.Internal;

/// <summary>An entry of the memory level. Fields are written before the entry is published and never after, except <see cref="LastAccess"/>.</summary>
internal sealed class MemoryEntry
{
    public required object? Value { get; init; }

    /// <summary>The scope the entry was cached under, or null.</summary>
    public required string? Scope { get; init; }

    public required GenerationState? ScopeState { get; init; }

    public required long ScopeGeneration { get; init; }

    public required long GlobalGeneration { get; init; }

    public required TagStamp[] Tags { get; init; }

    /// <summary>The instance's trust epoch when the entry was made; entries of an older epoch are not served as fresh.</summary>
    public required long Epoch { get; init; }

    /// <summary>UTC ticks until which the entry is fresh in memory.</summary>
    public required long FreshUntil { get; init; }

    /// <summary>UTC ticks until which the entry is kept to be served by fail-safe (at least <see cref="FreshUntil"/>).</summary>
    public required long RetainUntil { get; init; }

    /// <summary>UTC ticks of the last read, kept coarse (at most one write a second) for eviction.</summary>
    public long LastAccess;
}
