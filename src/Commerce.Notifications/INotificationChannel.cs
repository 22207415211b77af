namespace Commerce.Notifications;

/// <summary>
/// An out-of-band delivery channel (e-mail, SMS, push). Deliveries are queued durably with the notification and
/// retried with backoff, so an implementation just delivers once or throws.
/// </summary>
public interface INotificationChannel
{
    /// <summary>The channel's name, as used in <see cref="NotificationRequest.Channels"/> (for example <c>email</c>).</summary>
    string Name { get; }

    /// <summary>Delivers a notification to an address. Throwing schedules a retry.</summary>
    /// <param name="notification">The notification.</param>
    /// <param name="address">The address on this channel.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>A task that completes when delivered.</returns>
    Task DeliverAsync(Notification notification, string address, CancellationToken cancellationToken);
}
