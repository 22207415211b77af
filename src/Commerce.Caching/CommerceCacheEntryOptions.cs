using Microsoft.Extensions.Caching.Hybrid;

namespace Commerce.Caching;

/// <summary>
/// Settings of one cache entry. Every property left null takes its value from
/// <see cref="CommerceCacheOptions"/>. Instances are immutable: create one per kind of data
/// (for example <c>static readonly CommerceCacheEntryOptions Sales = new() { Duration = TimeSpan.FromMinutes(15) }</c>)
/// and reuse it, so a cache hit allocates nothing.
/// </summary>
public sealed class CommerceCacheEntryOptions
{
    /// <summary>How long the entry is fresh, in every level. Null: <see cref="CommerceCacheOptions.DefaultDuration"/>.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>
    /// How long the entry stays in the memory level, at most <see cref="Duration"/>.
    /// Null: <see cref="CommerceCacheOptions.DefaultLocalDuration"/>, or <see cref="Duration"/> when that is null too.
    /// </summary>
    public TimeSpan? LocalDuration { get; init; }

    /// <summary>
    /// Tags of the entry. <see cref="HybridCache.RemoveByTagAsync(string, CancellationToken)"/> invalidates
    /// every entry carrying the tag, in O(1).
    /// </summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>
    /// Keep the entry after it expires, for up to <see cref="FailSafeMaxDuration"/>, and return it when the
    /// factory throws instead of the exception. Null: <see cref="CommerceCacheOptions.DefaultFailSafe"/>.
    /// </summary>
    public bool? FailSafe { get; init; }

    /// <summary>How long an expired value is kept for fail-safe. Null: <see cref="CommerceCacheOptions.FailSafeMaxDuration"/>.</summary>
    public TimeSpan? FailSafeMaxDuration { get; init; }

    /// <summary>
    /// A random duration of up to this much is added to <see cref="Duration"/>, so entries written together
    /// don't all expire together. Null: <see cref="CommerceCacheOptions.DefaultJitterMaxDuration"/>.
    /// </summary>
    public TimeSpan? JitterMaxDuration { get; init; }

    /// <summary>
    /// Run the factory once across all instances on a miss (a short Redis lease), not only once per process.
    /// Null: <see cref="CommerceCacheOptions.DistributedStampedeProtection"/>.
    /// </summary>
    public bool? DistributedStampedeProtection { get; init; }

    /// <summary>Levels to skip for this entry, as in <see cref="HybridCacheEntryOptions.Flags"/>.</summary>
    public HybridCacheEntryFlags Flags { get; init; }
}
