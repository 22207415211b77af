using System.ComponentModel.DataAnnotations;

namespace Commerce.Webhooks;

/// <summary>Options of Commerce.Webhooks, validated when the host starts.</summary>
public sealed class WebhooksOptions
{
    /// <summary>Npgsql connection string, unless a data source is given with <c>WithPostgres</c>.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>PostgreSQL schema of the inbox and outbox. Default <c>webhooks</c>.</summary>
    [Required]
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$", ErrorMessage = "Schema must be a lower-case identifier (letters, digits, '_').")]
    public string Schema { get; set; } = "webhooks";

    /// <summary>The senders this application receives from, by name (the name <c>MapWebhooks</c> refers to).</summary>
    public IDictionary<string, WebhookSourceOptions> Sources { get; set; } = new Dictionary<string, WebhookSourceOptions>(StringComparer.Ordinal);

    /// <summary>Largest body accepted; a larger one gets 413 and is not stored. Default 1 MiB.</summary>
    [Range(1, 256 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Apply the PostgreSQL migrations when the host starts. Default true.</summary>
    public bool ApplyMigrationsOnStart { get; set; } = true;

    /// <summary>Process the inbox in the background. Default true.</summary>
    public bool RunInboxProcessor { get; set; } = true;

    /// <summary>
    /// Attempts before a message is parked as dead. Default 8. An attempt counts when the message is claimed, so a
    /// message whose processor dies in its handler every time (a crash, an out-of-memory kill) is parked too.
    /// </summary>
    [Range(1, 1000)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Delay after the first failure, doubled after each next one. Default 1 second.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between attempts. Default 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the inbox is polled (new messages also wake it at once). Default 1 second.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan InboxPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a claim on a message lasts unless renewed. Its processor renews it every third of this while the handler
    /// runs, so a slow handler keeps its message; only a processor that stopped renewing (crashed, or cut off from
    /// PostgreSQL) loses it to another. Default 1 minute.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ProcessingLease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The most messages one claim takes, and one <see cref="IWebhookInbox.ProcessDueAsync"/> call processes. A claim
    /// takes no more than the free processing slots can start now. Default 100.
    /// </summary>
    [Range(1, 10_000)]
    public int InboxBatchSize { get; set; } = 100;

    /// <summary>Messages processed at once per instance. Default 4 (1 keeps arrival order within an instance).</summary>
    [Range(1, 256)]
    public int ProcessingConcurrency { get; set; } = 4;

    /// <summary>
    /// How long a processed message keeps its body and headers. Default 7 days; after it they are dropped, and the row
    /// (its message id) stays to deduplicate until <see cref="DeduplicationWindow"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan ProcessedBodyRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long a processed message's id is kept to deduplicate redeliveries. Default 30 days: longer than any common
    /// sender retries (Shopify: 48 hours; Svix: about 28 hours), which matters for GitHub and Shopify, whose
    /// signatures carry no timestamp that would refuse a late replay. A copy arriving after it is accepted again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan DeduplicationWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the background purge applies the retention of the inbox and outbox. Default 10 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Run the retention purge in the background. Default true.</summary>
    public bool RunPurge { get; set; } = true;

    /// <summary>Options of the sender.</summary>
    public WebhookSenderOptions Sender { get; set; } = new();
}
