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
}
