using Microsoft.Extensions.Logging;

namespace Commerce.Notifications.Internal;

/// <summary>Log messages of Commerce.Notifications. Event ids 4000-4099.</summary>
internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Information, "Applied notification migrations {Versions} to schema {Schema}.", EventName = "MigrationsApplied")]
    public static partial void MigrationsApplied(ILogger logger, string versions, string schema);

    [LoggerMessage(4001, LogLevel.Warning, "Redis is not available yet; notifications are delivered locally and caught up from PostgreSQL.", EventName = "RedisUnavailable")]
    public static partial void RedisUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(4002, LogLevel.Warning, "The Redis subscription connection was lost; catching up from PostgreSQL until it is back.", EventName = "SubscriptionLost")]
    public static partial void SubscriptionLost(ILogger logger, Exception? exception);

    [LoggerMessage(4003, LogLevel.Information, "The Redis subscription connection is back; backfilling and telling rooms to resync.", EventName = "SubscriptionRestored")]
    public static partial void SubscriptionRestored(ILogger logger);

    [LoggerMessage(4004, LogLevel.Warning, "Publishing {Count} messages to Redis failed; retrying.", EventName = "PublishFailed")]
    public static partial void PublishFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(4005, LogLevel.Warning, "Subscribing to {Topic} failed; retrying.", EventName = "SubscribeFailed")]
    public static partial void SubscribeFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(4006, LogLevel.Debug, "Unsubscribing from {Topic} failed.", EventName = "UnsubscribeFailed")]
    public static partial void UnsubscribeFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(4007, LogLevel.Warning, "A message on {Topic} could not be read.", EventName = "BadMessage")]
    public static partial void BadMessage(ILogger logger, string topic, Exception exception);

    [LoggerMessage(4008, LogLevel.Warning, "Backfilling notifications of {RecipientId} failed; retrying.", EventName = "BackfillFailed")]
    public static partial void BackfillFailed(ILogger logger, string recipientId, Exception exception);

    [LoggerMessage(4009, LogLevel.Warning, "Catching up from PostgreSQL failed; retrying.", EventName = "CatchUpFailed")]
    public static partial void CatchUpFailed(ILogger logger, Exception exception);

    [LoggerMessage(4010, LogLevel.Warning, "Delivering notification {NotificationId} by {Channel} failed (attempt {Attempt}); {Next}.", EventName = "ChannelDeliveryFailed")]
    public static partial void ChannelDeliveryFailed(ILogger logger, long notificationId, string channel, int attempt, string next, Exception exception);

    [LoggerMessage(4011, LogLevel.Warning, "The notifications background worker failed; retrying.", EventName = "WorkerFailed")]
    public static partial void WorkerFailed(ILogger logger, Exception exception);

    [LoggerMessage(4012, LogLevel.Information, "Deleted {Count} notifications older than the retention period.", EventName = "RetentionApplied")]
    public static partial void RetentionApplied(ILogger logger, int count);
}
