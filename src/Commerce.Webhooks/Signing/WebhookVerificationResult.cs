namespace Commerce.Webhooks;

/// <summary>
/// The outcome of verifying a webhook: valid, or why not. A failure is a value, not an exception. Only
/// <see cref="Valid"/> makes a valid result: a default or hand-built value is never valid (fail closed).
/// </summary>
public readonly record struct WebhookVerificationResult
{
    /// <summary>The longest message id accepted: 255 characters.</summary>
    public const int MaxMessageIdLength = 255;

    private readonly bool _verified;
    private readonly WebhookVerificationFailure _failure;

    /// <summary>True when the webhook is authentic and fresh, as a verifier said with <see cref="Valid"/>.</summary>
    public bool IsValid => _verified && _failure == WebhookVerificationFailure.None;

    /// <summary>Why it failed; <see cref="WebhookVerificationFailure.None"/> when valid, <see cref="WebhookVerificationFailure.NotVerified"/> for a default value.</summary>
    public WebhookVerificationFailure Failure
    {
        get => _verified || _failure != WebhookVerificationFailure.None ? _failure : WebhookVerificationFailure.NotVerified;
        init => _failure = value;
    }

    /// <summary>The message id (the dedupe key), when the scheme carries one.</summary>
    public string? MessageId { get; init; }

    /// <summary>When the sender signed it, when the scheme carries it.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>The event type named by a header (GitHub's event, Shopify's topic), if any; it wins over a <c>type</c> in the body.</summary>
    public string? EventType { get; init; }

    /// <summary>A human-readable reason for a failure (never includes secrets or signatures).</summary>
    public string? Detail { get; init; }

    /// <summary>A valid result.</summary>
    /// <param name="messageId">The message id.</param>
    /// <param name="timestamp">When it was signed, if the scheme says.</param>
    /// <param name="eventType">The event type a header names, if any.</param>
    /// <returns>The result.</returns>
    public static WebhookVerificationResult Valid(string messageId, DateTimeOffset? timestamp, string? eventType = null)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        return new WebhookVerificationResult(verified: true) { MessageId = messageId, Timestamp = timestamp, EventType = eventType };
    }

    /// <summary>A failed result.</summary>
    /// <param name="failure">Why; not <see cref="WebhookVerificationFailure.None"/>.</param>
    /// <param name="detail">A reason for logs and the 401/400 answer.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="failure"/> is <see cref="WebhookVerificationFailure.None"/>.</exception>
    public static WebhookVerificationResult Fail(WebhookVerificationFailure failure, string detail)
    {
        if (failure == WebhookVerificationFailure.None)
        {
            throw new ArgumentOutOfRangeException(nameof(failure), "A failed result needs a failure other than None.");
        }

        return new WebhookVerificationResult { Failure = failure, Detail = detail };
    }

    private WebhookVerificationResult(bool verified) => _verified = verified;
}
