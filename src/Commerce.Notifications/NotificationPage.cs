namespace Commerce.Notifications;

/// <summary>A page of a recipient's notifications, newest first.</summary>
/// <param name="Items">The notifications.</param>
/// <param name="UnreadCount">The recipient's unread notifications, all pages.</param>
/// <param name="NextBefore">Pass as <c>beforeSequence</c> for the next (older) page; null on the last page.</param>
public sealed record NotificationPage(IReadOnlyList<Notification> Items, int UnreadCount, long? NextBefore);
