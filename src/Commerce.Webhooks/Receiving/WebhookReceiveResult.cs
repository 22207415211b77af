namespace Commerce.Webhooks;

/// <summary>The result of <see cref="IWebhookReceiver.ReceiveAsync"/>.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Verification">The verification result (why it was rejected, when it was).</param>
/// <param name="InboxId">The inbox row, unless rejected.</param>
public sealed record WebhookReceiveResult(WebhookReceiveOutcome Outcome, WebhookVerificationResult Verification, long? InboxId)
{
    /// <summary>Why it is <see cref="WebhookReceiveOutcome.Unprocessable"/>, by field; null otherwise.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }
}
