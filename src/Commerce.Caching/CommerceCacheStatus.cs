namespace Commerce.Caching;

/// <summary>A snapshot of the cache's health, for health checks and dashboards.</summary>
public readonly record struct CommerceCacheStatus
{
    /// <summary>True when a Redis level is configured.</summary>
    public bool RedisConfigured { get; init; }

    /// <summary>True when Redis answers and the circuit breaker is closed.</summary>
    public bool RedisAvailable { get; init; }

    /// <summary>
    /// True when this instance hears invalidations from the others (its Redis subscription is confirmed
    /// live by heartbeats). While false, memory entries older than the loss are checked against Redis before they
    /// are served, and served without it only within <see cref="CommerceCacheOptions.DisconnectedMaxStaleness"/>.
    /// </summary>
    public bool InvalidationChannelHealthy { get; init; }

    /// <summary>Invalidations, sets and removes issued while Redis was unreachable, waiting to be sent.</summary>
    public int PendingInvalidations { get; init; }

    /// <summary>Entries in the memory level.</summary>
    public int LocalEntries { get; init; }

    /// <summary>Scopes and tags whose generation this instance tracks (unused ones are dropped after a while).</summary>
    public int TrackedGenerations { get; init; }

    /// <summary>True while the warm-up declared with <see cref="ICommerceCacheWarmup"/> is loading entries.</summary>
    public bool WarmupRunning { get; init; }

    /// <summary>Warm-up entries loaded so far (from Redis or by their factory).</summary>
    public int WarmedEntries { get; init; }

    /// <summary>Warm-up entries whose factory failed (logged; the entry loads on first use instead).</summary>
    public int WarmupFailures { get; init; }
}
