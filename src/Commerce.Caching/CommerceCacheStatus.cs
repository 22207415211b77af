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
    /// live by heartbeats). While false, the memory level is not trusted beyond
    /// <see cref="CommerceCacheOptions.DisconnectedLocalDuration"/>.
    /// </summary>
    public bool InvalidationChannelHealthy { get; init; }

    /// <summary>Invalidations issued while Redis was unreachable, waiting to be sent.</summary>
    public int PendingInvalidations { get; init; }

    /// <summary>Entries in the memory level.</summary>
    public int LocalEntries { get; init; }
}
