namespace Commerce.Webhooks;

/// <summary>
/// Sends signed webhooks through an outbox in PostgreSQL: a message accepted for sending survives a restart and is
/// delivered with retries (see <see cref="WebhookSenderOptions"/>).
/// </summary>
public interface IWebhookSender
{
    /// <summary>Registers an endpoint.</summary>
    /// <param name="url">An http or https URL.</param>
    /// <param name="secrets">Its secrets; null generates one (read it back from the result).</param>
    /// <param name="id">Its id; null generates one. Registering an existing id updates it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="ArgumentException">The URL is not absolute http(s).</exception>
    Task<WebhookEndpoint> AddEndpointAsync(Uri url, IEnumerable<WebhookSecret>? secrets = null, Guid? id = null, CancellationToken cancellationToken = default);

    /// <summary>Reads an endpoint.</summary>
    /// <param name="id">Its id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The endpoint, or null.</returns>
    Task<WebhookEndpoint?> GetEndpointAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Enables or disables an endpoint.</summary>
    /// <param name="id">Its id.</param>
    /// <param name="enabled">True to enable.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when saved.</returns>
    Task SetEndpointEnabledAsync(Guid id, bool enabled, CancellationToken cancellationToken = default);

    /// <summary>
    /// Accepts an event for sending: the body is the Standard Webhooks envelope <c>{"type", "timestamp", "data"}</c>
    /// with <paramref name="data"/> serialized by System.Text.Json (web defaults).
    /// </summary>
    /// <param name="endpointId">Where to send it.</param>
    /// <param name="type">The event type, for example <c>orders.created</c>.</param>
    /// <param name="data">The payload.</param>
    /// <param name="path">A path appended to the endpoint URL, or null.</param>
    /// <param name="messageId">The <c>webhook-id</c>; null generates one. Sending the same id twice to one endpoint stores it once.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message as stored.</returns>
    /// <exception cref="InvalidOperationException">No such endpoint.</exception>
    Task<OutgoingWebhook> SendAsync(Guid endpointId, string type, object? data, string? path = null, string? messageId = null, CancellationToken cancellationToken = default);

    /// <summary>Accepts a body, sent as it is, for sending.</summary>
    /// <param name="endpointId">Where to send it.</param>
    /// <param name="type">The event type (recorded, not sent).</param>
    /// <param name="body">The exact JSON body.</param>
    /// <param name="path">A path appended to the endpoint URL, or null.</param>
    /// <param name="messageId">The <c>webhook-id</c>; null generates one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message as stored.</returns>
    Task<OutgoingWebhook> SendRawAsync(Guid endpointId, string type, ReadOnlyMemory<byte> body, string? path = null, string? messageId = null, CancellationToken cancellationToken = default);

    /// <summary>Reads a message's delivery state.</summary>
    /// <param name="id">Its outbox id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message, or null.</returns>
    Task<OutgoingWebhook?> GetAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Delivers the messages due now, once (the background dispatcher does this continuously).</summary>
    /// <param name="cancellationToken">Cancels the pass.</param>
    /// <returns>How many delivery attempts were made.</returns>
    Task<int> DispatchDueAsync(CancellationToken cancellationToken = default);
}
