using System.ComponentModel.DataAnnotations;

namespace Commerce.Notifications;

/// <summary>Options of Commerce.Notifications, validated when the host starts.</summary>
public sealed class NotificationsOptions
{
    /// <summary>StackExchange.Redis configuration string, unless a connection is given with <c>WithRedis</c>.</summary>
    public string? RedisConfiguration { get; set; }

    /// <summary>Npgsql connection string, unless a data source is given with <c>WithPostgres</c>.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>PostgreSQL schema. Default <c>notifications</c>.</summary>
    [Required]
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$", ErrorMessage = "Schema must be a lower-case identifier (letters, digits, '_').")]
    public string Schema { get; set; } = "notifications";

    /// <summary>Prefix of the Redis channels. Default <c>commerce:notifications:</c>.</summary>
    [Required]
    public string ChannelPrefix { get; set; } = "commerce:notifications:";

    /// <summary>Use sharded pub/sub (<c>SPUBLISH</c>/<c>SSUBSCRIBE</c>). Null (default): when the server is a cluster.</summary>
    public bool? UseShardedPubSub { get; set; }

    /// <summary>The claim holding the user id (the recipient). Default <c>sub</c>, then the name identifier claim.</summary>
    [Required]
    public string UserIdClaimType { get; set; } = "sub";

    /// <summary>The claim holding the user's shop, for the default room authorizer. Default <c>shop_id</c>.</summary>
    [Required]
    public string ShopClaimType { get; set; } = "shop_id";

    /// <summary>SSE comment sent when nothing else was, so proxies keep the connection. Default 15 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How often an instance compares its connected recipients' positions with PostgreSQL and backfills any gap, the
    /// safety net under pub/sub. Default 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan CatchUpInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a publish that Redis refused, or could not take because it was unreachable, is retried before relying on catch-up. Default 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PublishRetryWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Notifications read from PostgreSQL per backfill query. Default 500.</summary>
    [Range(1, 10_000)]
    public int BackfillPageSize { get; set; } = 500;

    /// <summary>Largest page <c>GetPageAsync</c> returns. Default 100.</summary>
    [Range(1, 10_000)]
    public int MaxPageSize { get; set; } = 100;

    /// <summary>
    /// How far a slow client may fall behind, in items, which bounds the memory it can hold: up to this many live
    /// messages (notifications, room events) wait for its stream, and as many items wait to be written to it. A client
    /// further behind loses nothing: the live messages it missed are dropped, and it gets what is stored in
    /// PostgreSQL after its position, then a resync of every room it joined. Default 1,000.
    /// </summary>
    [Range(1, 1_000_000)]
    public int SubscriberBufferSize { get; set; } = 1000;

    /// <summary>The most rooms one connection may join. Default 50.</summary>
    [Range(1, 10_000)]
    public int MaxRoomsPerConnection { get; set; } = 50;

    /// <summary>
    /// Messages waiting to be published to Redis, at most. When Redis is down or can't keep up, the oldest are dropped
    /// (notifications are caught up from PostgreSQL, rooms resync). Default 100,000.
    /// </summary>
    [Range(100, 10_000_000)]
    public int PublishQueueCapacity { get; set; } = 100_000;

    /// <summary>Recipients per transaction of a bulk creation. Default 1,000.</summary>
    [Range(1, 100_000)]
    public int BulkBatchSize { get; set; } = 1000;

    /// <summary>Notifications older than this are deleted. Default 90 days.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often retention runs. Default 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the background worker looks for due work (it is also woken at once). Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts of an out-of-band delivery before it is marked failed. Default 8.</summary>
    [Range(1, 100)]
    public int ChannelMaxAttempts { get; set; } = 8;

    /// <summary>Delay before the first retry of an out-of-band delivery; doubles each attempt. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ChannelRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest delay between retries of an out-of-band delivery. Default 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan ChannelMaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Time allowed for one out-of-band attempt. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ChannelAttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Apply the PostgreSQL migrations when the host starts. Default true.</summary>
    public bool ApplyMigrationsOnStart { get; set; } = true;

    /// <summary>Run the background worker (bulk jobs, out-of-band deliveries, retention) on this instance. Default true.</summary>
    public bool RunBackgroundWorker { get; set; } = true;
}
