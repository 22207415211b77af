namespace Commerce.Notifications;

/// <summary>
/// Live streams of a recipient's notifications and its rooms' events on this instance. The SignalR hub and the SSE
/// endpoint are built on it; use it for another transport.
/// </summary>
public interface INotificationStreams
{
    /// <summary>
    /// Opens a stream for <paramref name="recipientId"/>. With <paramref name="afterSequence"/>, it first delivers every
    /// stored notification after it (what the client missed), then live ones; without, only notifications created
    /// from now on. Notifications come in sequence order without duplicates, whatever happens to Redis.
    /// </summary>
    /// <param name="recipientId">The user.</param>
    /// <param name="afterSequence">The last sequence the client has, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The subscription; dispose it when the client goes.</returns>
    Task<NotificationSubscription> SubscribeAsync(string recipientId, long? afterSequence = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes <paramref name="recipientId"/> out of <paramref name="room"/> on every instance (its rights were revoked):
    /// its connections stop receiving the room's events. To keep it out, your <see cref="INotificationRoomAuthorizer"/>
    /// must refuse it from now on. Travels over Redis; while Redis is down it applies on this instance and is retried
    /// for <see cref="NotificationsOptions.PublishRetryWindow"/>.
    /// </summary>
    /// <param name="recipientId">The user.</param>
    /// <param name="room">The room.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when sent.</returns>
    Task RemoveFromRoomAsync(string recipientId, string room, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends every stream of <paramref name="recipientId"/> on every instance: SSE streams get a <c>disconnected</c> event
    /// and close, SignalR connections get <c>disconnected</c> and are aborted. A client that reconnects is authenticated
    /// and authorized again. Travels over Redis like <see cref="RemoveFromRoomAsync"/>.
    /// </summary>
    /// <param name="recipientId">The user.</param>
    /// <param name="reason">Why, told to the client.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when sent.</returns>
    Task DisconnectAsync(string recipientId, string reason, CancellationToken cancellationToken = default);
}
