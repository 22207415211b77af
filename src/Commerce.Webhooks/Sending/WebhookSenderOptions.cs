namespace Commerce.Webhooks;

/// <summary>Options of the sender (<see cref="IWebhookSender"/>).</summary>
public sealed class WebhookSenderOptions
{
    /// <summary>Deliver from the outbox in the background. Default true.</summary>
    public bool RunDispatcher { get; set; } = true;

    /// <summary>
    /// Delay before each attempt after a failure. The default is Svix's published schedule (the Standard Webhooks
    /// specification sets none): immediately, 5 seconds, 5 minutes, 30 minutes, 2 hours, 5 hours, 10 hours, 10 hours.
    /// The number of entries is the number of attempts.
    /// </summary>
    public IList<TimeSpan> RetrySchedule { get; set; } =
    [
        TimeSpan.Zero, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(2), TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    /// <summary>Each retry delay is varied by up to this fraction either way, so retries don't arrive in waves. Default 0.1.</summary>
    public double Jitter { get; set; } = 0.1;

    /// <summary>The most one delivery attempt may take, answer excerpt included. Default 15 seconds.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Deliveries in flight to one endpoint from one instance. Default 4.</summary>
    public int MaxConcurrencyPerEndpoint { get; set; } = 4;

    /// <summary>
    /// Allow endpoints whose address is loopback, private, link-local, documentation, benchmarking, NAT64, 6to4 or
    /// otherwise internal. Off by default, so a user-registered URL can't make the application call its own network
    /// (SSRF). Checked on the address actually connected to, after DNS resolution; no proxy is used, so none can
    /// bypass the check.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How often the outbox is polled (new messages also wake it at once). Default 1 second.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most deliveries in flight per instance, across endpoints; also the most messages one claim takes. Default 100.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>How long delivered and failed messages, with their attempt log, are kept. Default 30 days.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);
}
