namespace Commerce.Notifications;

/// <summary>What a <see cref="NotificationStreamItem"/> carries.</summary>
public enum NotificationStreamItemKind
{
    /// <summary>A stored notification of the recipient, in sequence order.</summary>
    Notification,

    /// <summary>A live event of a room the subscription joined.</summary>
    RoomEvent,

    /// <summary>Room events may have been missed (Redis reconnected, or the client resumed): reload the room's data.</summary>
    Resync,
}
