namespace Commerce.Webhooks;

/// <summary>
/// Handles received webhooks of a type (register with <c>AddHandler&lt;THandler&gt;("orders.created")</c>). Runs from the
/// inbox after the sender was acknowledged; throwing schedules a retry with backoff, and after
/// <see cref="WebhooksOptions.MaxAttempts"/> the message is parked as dead. Handlers are resolved in a DI scope per message.
/// </summary>
public interface IWebhookHandler
{
    /// <summary>Handles one message.</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Stops with the host.</param>
    /// <returns>A task that completes when handled.</returns>
    ValueTask HandleAsync(WebhookMessage message, CancellationToken cancellationToken);
}

/// <summary>A handler that receives the envelope's <c>data</c> deserialized (System.Text.Json web defaults).</summary>
/// <typeparam name="TPayload">The payload type.</typeparam>
public interface IWebhookHandler<in TPayload>
{
    /// <summary>Handles one message.</summary>
    /// <param name="message">The message.</param>
    /// <param name="payload">Its deserialized <c>data</c>.</param>
    /// <param name="cancellationToken">Stops with the host.</param>
    /// <returns>A task that completes when handled.</returns>
    ValueTask HandleAsync(WebhookMessage message, TPayload payload, CancellationToken cancellationToken);
}
