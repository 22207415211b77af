namespace Commerce.Webhooks;

/// <summary>The outcome of verifying a webhook: valid, or why not. A failure is a value, not an exception.</summary>
public readonly record struct WebhookVerificationResult
{
    /// <summary>True when the webhook is authentic and fresh.</summary>
    public bool IsValid => Failure == WebhookVerificationFailure.None;

    /// <summary>Why it failed, or <see cref="WebhookVerificationFailure.None"/>.</summary>
    public WebhookVerificationFailure Failure { get; init; }

    /// <summary>The message id (the dedupe key), when the scheme carries one.</summary>
    public string? MessageId { get; init; }

    /// <summary>When the sender signed it, when the scheme carries it.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>The event type named by a header (GitHub's event, Shopify's topic), if any.</summary>
    public string? EventType { get; init; }

    /// <summary>A human-readable reason for a failure (never includes secrets or signatures).</summary>
    public string? Detail { get; init; }

    /// <summary>A valid result.</summary>
    public static WebhookVerificationResult Valid(string messageId, DateTimeOffset? timestamp, string? eventType = null) =>
        new() { MessageId = messageId, Timestamp = timestamp, EventType = eventType };

    /// <summary>A failed result.</summary>
    public static WebhookVerificationResult Fail(WebhookVerificationFailure failure, string detail) =>
        new() { Failure = failure, Detail = detail };
}
