namespace Commerce.Notifications;

/// <summary>One item of a <see cref="NotificationSubscription"/>.</summary>
/// <param name="Kind">What it carries.</param>
/// <param name="Notification">The notification, for <see cref="NotificationStreamItemKind.Notification"/>.</param>
/// <param name="RoomEvent">The event, for <see cref="NotificationStreamItemKind.RoomEvent"/>.</param>
/// <param name="Room">The room to reload, for <see cref="NotificationStreamItemKind.Resync"/>.</param>
public sealed record NotificationStreamItem(NotificationStreamItemKind Kind, Notification? Notification = null, RoomEvent? RoomEvent = null, string? Room = null);
