using System.ComponentModel.DataAnnotations;

namespace Commerce.FlashSale;

/// <summary>Options of Commerce.FlashSale, validated when the host starts.</summary>
public sealed class FlashSaleOptions
{
    /// <summary>Prefix of every Redis key. It must not contain '{' or '}'. Default <c>commerce:fs</c>.</summary>
    [Required]
    [RegularExpression(@"^[^{}]+$", ErrorMessage = "KeyPrefix must not be empty nor contain '{{' or '}}'.")]
    public string KeyPrefix { get; set; } = "commerce:fs";

    /// <summary>StackExchange.Redis configuration string, unless a connection is given with <c>WithRedis</c>.</summary>
    public string? RedisConfiguration { get; set; }

    /// <summary>Npgsql connection string, unless a data source is given with <c>WithPostgres</c>.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>PostgreSQL schema of the package's tables. Default <c>flash_sale</c>.</summary>
    [Required]
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$", ErrorMessage = "Schema must be a lower-case identifier (letters, digits, '_').")]
    public string Schema { get; set; } = "flash_sale";

    /// <summary>How long an unconfirmed reservation holds its units. Default 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan HoldDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Reserve attempts a user may make at one sale per <see cref="RateLimitPeriod"/>; 0 turns the limit off. Default 5.</summary>
    [Range(0, 100_000)]
    public int RateLimitPermits { get; set; } = 5;

    /// <summary>The rate limit's period. Default 1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan RateLimitPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Which clock decides windows and expiry. Default <see cref="FlashSaleClock.Redis"/>.</summary>
    public FlashSaleClock Clock { get; set; } = FlashSaleClock.Redis;

    /// <summary>Holds a reserve call expires on its way (bounded work: at most 100). Default 10.</summary>
    [Range(0, 100)]
    public int LazySweepBatch { get; set; } = 10;

    /// <summary>Holds one background sweep script expires (at most 1,000, so no call blocks a Redis shard for long). Default 200.</summary>
    [Range(1, 1_000)]
    public int SweepBatch { get; set; } = 200;

    /// <summary>How often the background sweeper runs. Default 1 second.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the journal worker drains to PostgreSQL. Default 200 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan JournalPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Journal entries written to PostgreSQL per transaction. Default 500.</summary>
    [Range(1, 100_000)]
    public int JournalBatchSize { get; set; } = 500;

    /// <summary>How long one instance owns a sale's journal while draining it. Default 30 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan JournalLeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one event subscriber call may take before it counts as failed (its entries are delivered again later and
    /// the drain goes on), so a hung subscriber can't stall its sale forever. Default 30 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan EventDeliveryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an instance answers "sold out" from memory after Redis told it an item has no units left, so the crowd
    /// that keeps asking after a sell-out does not run the reserve script on Redis each time. Units that come back
    /// through this instance end it at once; on other instances they are sold again within this duration. Requests that
    /// carry a <see cref="ReserveRequest.ReservationId"/> (a retry may be a replay) always go to Redis. Zero turns it
    /// off. Default 1 second.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan SoldOutMemoryDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a sale's Redis keys live after it ends, counted on the sale clock (<see cref="Clock"/>), and how long
    /// after its end the background workers still look after it (on that clock too; with Redis' clock, PostgreSQL's
    /// stands in for that check). Default 7 days.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan RedisRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Apply the PostgreSQL migrations when the host starts. Default true.</summary>
    public bool ApplyMigrationsOnStart { get; set; } = true;

    /// <summary>Run the expiry sweeper and the journal worker in the background. Default true.</summary>
    public bool RunBackgroundWorkers { get; set; } = true;
}
