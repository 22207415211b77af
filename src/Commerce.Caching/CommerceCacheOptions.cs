using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace Commerce.Caching;

/// <summary>Options of Commerce.Caching, validated when the host starts.</summary>
public sealed class CommerceCacheOptions
{
    /// <summary>
    /// Prefix of every Redis key and channel the cache uses. Instances that share a prefix share entries and
    /// invalidations. It must not contain <c>{</c> or <c>}</c>. Default <c>commerce:cache</c>.
    /// </summary>
    [Required]
    [RegularExpression(@"^[^{}]+$", ErrorMessage = "KeyPrefix must not be empty nor contain '{{' or '}}'.")]
    public string KeyPrefix { get; set; } = "commerce:cache";

    /// <summary>
    /// A StackExchange.Redis configuration string (<c>host:port,...</c>; several nodes for a cluster). Null, and no
    /// connection given through <c>WithRedis</c>, means memory only.
    /// </summary>
    public string? RedisConfiguration { get; set; }

    /// <summary>How long an entry is fresh when its options don't say. Default 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "365.00:00:00")]
    public TimeSpan DefaultDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an entry stays in memory when its options don't say. Null: the entry's duration.</summary>
    public TimeSpan? DefaultLocalDuration { get; set; }

    /// <summary>Whether entries are fail-safe when their options don't say. Default false.</summary>
    public bool DefaultFailSafe { get; set; }

    /// <summary>How long an expired value is kept to be served if the factory fails. Default 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan FailSafeMaxDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// After the factory failed and a stale value was served, how long that value is served before the factory
    /// is tried again. Default 30 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan FailSafeThrottleDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound of the random time added to each entry's duration. Default zero (no jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan DefaultJitterMaxDuration { get; set; } = TimeSpan.Zero;

    /// <summary>Most entries the memory level holds; beyond it the least recently used are evicted. Default 100,000.</summary>
    [Range(16, int.MaxValue)]
    public int MaxLocalEntries { get; set; } = 100_000;

    /// <summary>
    /// The most a request waits for Redis. Past it the read falls back to the factory (and a stale value, when
    /// fail-safe), and the failure counts toward the circuit breaker. Default 500 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Consecutive Redis failures that open the circuit breaker. Default 3.</summary>
    [Range(1, 1000)]
    public int CircuitBreakerThreshold { get; set; } = 3;

    /// <summary>How long the open breaker skips Redis before trying it again. Default 5 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan CircuitBreakerDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often this instance proves its invalidation subscription is live. Default 1 second.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A heartbeat not heard back within this long means invalidations may be lost: the memory level stops
    /// serving older entries until the subscription is back. Default 2 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// While this instance can't hear invalidations, a value it gets from the factory is kept in memory at most
    /// this long, which bounds how stale it can be. Default 5 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan DisconnectedLocalDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The staleness bound of a Redis outage. While Redis can't be reached, memory entries keep being served (instead
    /// of every read running its factory) as long as this instance heard its invalidation channel at most this long
    /// ago: a served value missed at most this much of other instances' invalidations. Past it, reads run their
    /// factory. Zero stops serving memory entries as soon as the channel is lost. Default 1 minute.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan DisconnectedMaxStaleness { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often invalidations issued while Redis was unreachable are retried. Default 1 second.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan InvalidationRetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Run each factory once across all instances (Redis lease) unless an entry says otherwise. Default false.</summary>
    public bool DistributedStampedeProtection { get; set; }

    /// <summary>
    /// How long a distributed stampede lease lasts: other instances wait this long at most for the holder's value
    /// before running the factory themselves. Default 10 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan DistributedLockLease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The largest serialized value the cache stores, as HybridCache's option of that name: a larger value is logged
    /// and returned to the caller but cached nowhere, and a larger one found in Redis is ignored. Default 1 MiB.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaximumPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// The longest key the cache uses, as HybridCache's option of that name. A longer key, an empty or whitespace key,
    /// or one with a control character is logged and bypasses the cache: the factory's value is returned and nothing
    /// is cached. Default 1,024.
    /// </summary>
    [Range(1, 1024 * 1024)]
    public int MaximumKeyLength { get; set; } = 1024;

    /// <summary>How many warm-up entries (see <see cref="ICommerceCacheWarmup"/>) load at once after start. Default 4.</summary>
    [Range(1, 256)]
    public int WarmupConcurrency { get; set; } = 4;

    /// <summary>
    /// Options of the default System.Text.Json serializer. Null: the <see cref="JsonSerializerOptions"/> registered for
    /// HybridCache (keyed by <c>typeof(IHybridCacheSerializer&lt;&gt;)</c>) if there is one, else
    /// <see cref="JsonSerializerDefaults.Web"/> (with public fields included for types that have only fields, such as
    /// value tuples). Options registered for one type (keyed by <c>typeof(IHybridCacheSerializer&lt;T&gt;)</c>) win.
    /// </summary>
    public JsonSerializerOptions? JsonSerializerOptions { get; set; }
}
