using Microsoft.Extensions.Caching.Hybrid;

namespace Commerce.Caching.Internal;

/// <summary>The settings of one call, with every default filled in. A struct, so resolving it allocates nothing.</summary>
internal readonly struct EntrySettings
{
    public required TimeSpan Duration { get; init; }

    public required TimeSpan LocalDuration { get; init; }

    public required bool FailSafe { get; init; }

    public required TimeSpan FailSafeMaxDuration { get; init; }

    public required TimeSpan JitterMaxDuration { get; init; }

    public required bool DistributedStampedeProtection { get; init; }

    public required HybridCacheEntryFlags Flags { get; init; }

    public required IReadOnlyList<string>? Tags { get; init; }

    public bool ReadLocal => (Flags & HybridCacheEntryFlags.DisableLocalCacheRead) == 0;

    public bool WriteLocal => (Flags & HybridCacheEntryFlags.DisableLocalCacheWrite) == 0;

    public bool ReadDistributed => (Flags & HybridCacheEntryFlags.DisableDistributedCacheRead) == 0;

    public bool WriteDistributed => (Flags & HybridCacheEntryFlags.DisableDistributedCacheWrite) == 0;

    public bool CallFactory => (Flags & HybridCacheEntryFlags.DisableUnderlyingData) == 0;

    public static EntrySettings From(CommerceCacheOptions defaults, CommerceCacheEntryOptions? entry)
    {
        var duration = entry?.Duration ?? defaults.DefaultDuration;
        var local = entry?.LocalDuration ?? defaults.DefaultLocalDuration ?? duration;
        return new EntrySettings
        {
            Duration = duration,
            LocalDuration = local < duration ? local : duration,
            FailSafe = entry?.FailSafe ?? defaults.DefaultFailSafe,
            FailSafeMaxDuration = entry?.FailSafeMaxDuration ?? defaults.FailSafeMaxDuration,
            JitterMaxDuration = entry?.JitterMaxDuration ?? defaults.DefaultJitterMaxDuration,
            DistributedStampedeProtection = entry?.DistributedStampedeProtection ?? defaults.DistributedStampedeProtection,
            Flags = entry?.Flags ?? HybridCacheEntryFlags.None,
            Tags = entry?.Tags,
        };
    }

    public static EntrySettings From(CommerceCacheOptions defaults, HybridCacheEntryOptions? entry, IReadOnlyList<string>? tags)
    {
        var duration = entry?.Expiration ?? defaults.DefaultDuration;
        var local = entry?.LocalCacheExpiration ?? defaults.DefaultLocalDuration ?? duration;
        return new EntrySettings
        {
            Duration = duration,
            LocalDuration = local < duration ? local : duration,
            FailSafe = defaults.DefaultFailSafe,
            FailSafeMaxDuration = defaults.FailSafeMaxDuration,
            JitterMaxDuration = defaults.DefaultJitterMaxDuration,
            DistributedStampedeProtection = defaults.DistributedStampedeProtection,
            Flags = entry?.Flags ?? HybridCacheEntryFlags.None,
            Tags = tags,
        };
    }
}
