namespace Commerce.Webhooks;

/// <summary>
/// Handles received webhooks a batch at a time (register with <c>AddBatchHandler&lt;THandler&gt;("orders.created")</c>),
/// for handlers that write many messages in one transaction. The batch holds messages claimed together, in arrival
/// order. Each message's outcome stays its own: mark one with <see cref="WebhookBatch.Fail"/> (retried later, dead
/// after <see cref="WebhooksOptions.MaxAttempts"/>) or <see cref="WebhookBatch.Reject"/> (dead at once); the others
/// are processed when the call returns. Throwing fails every message of the batch with that exception. Resolved in
/// one DI scope per batch.
/// </summary>
public interface IWebhookBatchHandler
{
    /// <summary>Handles one batch.</summary>
    /// <param name="batch">The messages, and where to record a message's failure.</param>
    /// <param name="cancellationToken">Stops with the host, or when this processor lost its claim on the batch.</param>
    /// <returns>A task that completes when handled.</returns>
    ValueTask HandleAsync(WebhookBatch batch, CancellationToken cancellationToken);
}
