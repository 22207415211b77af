using Npgsql;

namespace Commerce.Webhooks;

/// <summary>
/// Sends signed webhooks through an outbox in PostgreSQL: a message accepted for sending survives a restart and is
/// delivered with retries (see <see cref="WebhookSenderOptions"/>). Each endpoint is delivered to independently: one
/// slow or failing endpoint never delays another. Endpoints are managed here too, with an attempt log per message.
/// </summary>
public interface IWebhookSender
{
    /// <summary>Registers an endpoint.</summary>
    /// <param name="url">An absolute http or https URL; its query string is kept on every delivery.</param>
    /// <param name="secrets">Its secrets (24 to 64 bytes each); null generates one (read it back from the result).</param>
    /// <param name="id">Its id; null generates one. Registering an existing id replaces its URL, secrets, types and description.</param>
    /// <param name="eventTypes">The event types it receives from <see cref="PublishAsync"/>; null or empty for every type.</param>
    /// <param name="description">A note for operators.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="ArgumentException">The URL is not absolute http(s), or a secret is outside the specification's length.</exception>
    Task<WebhookEndpoint> AddEndpointAsync(Uri url, IEnumerable<WebhookSecret>? secrets = null, Guid? id = null, IEnumerable<string>? eventTypes = null, string? description = null, CancellationToken cancellationToken = default);

    /// <summary>Reads an endpoint.</summary>
    /// <param name="id">Its id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The endpoint, or null.</returns>
    Task<WebhookEndpoint?> GetEndpointAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Lists the endpoints, oldest first, optionally only those that receive <paramref name="eventType"/>.</summary>
    /// <param name="eventType">Only endpoints that receive this type (those with no types receive all); null for every endpoint.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The endpoints, enabled or not.</returns>
    Task<IReadOnlyList<WebhookEndpoint>> ListEndpointsAsync(string? eventType = null, CancellationToken cancellationToken = default);

    /// <summary>Changes an endpoint: what the update leaves null stays as it is.</summary>
    /// <param name="id">Its id.</param>
    /// <param name="update">The changes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The endpoint as changed, or null when there is none with this id.</returns>
    /// <exception cref="ArgumentException">The URL is not absolute http(s), or no secret is given where secrets are.</exception>
    Task<WebhookEndpoint?> UpdateEndpointAsync(Guid id, WebhookEndpointUpdate update, CancellationToken cancellationToken = default);

    /// <summary>Deletes an endpoint with its messages and their attempt log. To stop deliveries but keep messages, disable it instead.</summary>
    /// <param name="id">Its id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when there was none with this id.</returns>
    Task<bool> DeleteEndpointAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Enables or disables an endpoint. A disabled endpoint's messages stay pending and are delivered once it is enabled again.</summary>
    /// <param name="id">Its id.</param>
    /// <param name="enabled">True to enable.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when saved.</returns>
    Task SetEndpointEnabledAsync(Guid id, bool enabled, CancellationToken cancellationToken = default);

    /// <summary>
    /// Accepts an event for sending to one endpoint: the body is the Standard Webhooks envelope
    /// <c>{"type", "timestamp", "data"}</c> with <paramref name="data"/> serialized by System.Text.Json (web defaults).
    /// </summary>
    /// <param name="endpointId">Where to send it.</param>
    /// <param name="type">The event type, for example <c>orders.created</c>.</param>
    /// <param name="data">The payload.</param>
    /// <param name="path">A relative path appended to the endpoint URL's path, or null; it can never change the scheme or host.</param>
    /// <param name="messageId">The <c>webhook-id</c>; null generates one. Sending the same id twice to one endpoint stores it once.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message as stored.</returns>
    /// <exception cref="InvalidOperationException">No such endpoint.</exception>
    /// <exception cref="ArgumentException">The path is absolute, climbs with <c>..</c>, or holds <c>\</c>, <c>?</c>, <c>#</c> or control characters; or the message id is not usable.</exception>
    /// <exception cref="WebhooksUnavailableException">PostgreSQL failed; nothing was stored.</exception>
    Task<OutgoingWebhook> SendAsync(Guid endpointId, string type, object? data, string? path = null, string? messageId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Accepts an event for sending inside the application's own PostgreSQL transaction (a transactional outbox): it is
    /// sent only if the transaction commits, and then surely. The transaction's database must hold this package's schema.
    /// </summary>
    /// <param name="endpointId">Where to send it.</param>
    /// <param name="type">The event type.</param>
    /// <param name="data">The payload.</param>
    /// <param name="transaction">The application's open transaction.</param>
    /// <param name="path">A relative path appended to the endpoint URL's path, or null.</param>
    /// <param name="messageId">The <c>webhook-id</c>; null generates one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message as it will be stored when the transaction commits.</returns>
    /// <exception cref="InvalidOperationException">No such endpoint (the transaction is not aborted by this).</exception>
    Task<OutgoingWebhook> SendAsync(Guid endpointId, string type, object? data, NpgsqlTransaction transaction, string? path = null, string? messageId = null, CancellationToken cancellationToken = default);

    /// <summary>Accepts a body, sent as it is, for sending.</summary>
    /// <param name="endpointId">Where to send it.</param>
    /// <param name="type">The event type (recorded, not sent).</param>
    /// <param name="body">The exact JSON body.</param>
    /// <param name="path">A relative path appended to the endpoint URL's path, or null.</param>
    /// <param name="messageId">The <c>webhook-id</c>; null generates one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message as stored.</returns>
    Task<OutgoingWebhook> SendRawAsync(Guid endpointId, string type, ReadOnlyMemory<byte> body, string? path = null, string? messageId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Accepts an event for every endpoint that receives its type (<see cref="WebhookEndpoint.EventTypes"/>), one
    /// message per endpoint under one message id; optionally inside the application's transaction. A disabled
    /// endpoint's copy stays pending and goes out when the endpoint is enabled.
    /// </summary>
    /// <param name="type">The event type.</param>
    /// <param name="data">The payload.</param>
    /// <param name="messageId">The <c>webhook-id</c> of every copy; null generates one.</param>
    /// <param name="transaction">The application's open transaction, or null for one of its own.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The messages stored, one per endpoint (none when no endpoint receives the type).</returns>
    Task<IReadOnlyList<OutgoingWebhook>> PublishAsync(string type, object? data, string? messageId = null, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default);

    /// <summary>Reads a message's delivery state.</summary>
    /// <param name="id">Its outbox id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message, or null.</returns>
    Task<OutgoingWebhook?> GetAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Lists an endpoint's messages, newest first.</summary>
    /// <param name="endpointId">The endpoint.</param>
    /// <param name="status">Only messages in this state; null for all.</param>
    /// <param name="limit">At most this many.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The messages.</returns>
    Task<IReadOnlyList<OutgoingWebhook>> ListAsync(Guid endpointId, OutgoingWebhookStatus? status = null, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>The attempt log of one message, oldest first: status, duration and the start of each answer.</summary>
    /// <param name="id">Its outbox id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The attempts.</returns>
    Task<IReadOnlyList<WebhookAttempt>> GetAttemptsAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Sends a delivered or failed message again, now, with its attempts reset.</summary>
    /// <param name="id">Its outbox id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when there is no finished message with this id (it may be pending already).</returns>
    Task<bool> ResendAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Sends again every failed message of an endpoint accepted since <paramref name="since"/> (for example after it was fixed and enabled).</summary>
    /// <param name="endpointId">The endpoint.</param>
    /// <param name="since">Messages accepted at or after this time.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many messages are pending again.</returns>
    Task<int> RecoverAsync(Guid endpointId, DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>Delivers the messages due now and returns when those attempts are done (the background dispatcher does this continuously).</summary>
    /// <param name="cancellationToken">Cancels the pass.</param>
    /// <returns>How many delivery attempts were made.</returns>
    Task<int> DispatchDueAsync(CancellationToken cancellationToken = default);

    /// <summary>Applies the retention now: deletes messages finished more than <see cref="WebhookSenderOptions.Retention"/> ago, with their attempt log.</summary>
    /// <param name="cancellationToken">Cancels the pass.</param>
    /// <returns>How many messages were deleted.</returns>
    Task<long> PurgeAsync(CancellationToken cancellationToken = default);
}
