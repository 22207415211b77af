using Microsoft.Extensions.Logging;

namespace Commerce.Webhooks.Internal;

/// <summary>Log messages of Commerce.Webhooks. Event ids 3000-3099.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Information, "Applied webhook migrations {Versions} to schema {Schema}.", EventName = "MigrationsApplied")]
    public static partial void MigrationsApplied(ILogger logger, string versions, string schema);

    [LoggerMessage(3001, LogLevel.Warning, "Rejected a webhook from {Source}: {Failure} ({Detail}).", EventName = "WebhookRejected")]
    public static partial void WebhookRejected(ILogger logger, string source, WebhookVerificationFailure failure, string? detail);

    [LoggerMessage(3012, LogLevel.Warning, "Refused webhook {MessageId} from {Source} at the door (nothing stored): {Errors}.", EventName = "WebhookUnprocessable")]
    public static partial void WebhookUnprocessable(ILogger logger, string source, string? messageId, string errors);

    [LoggerMessage(3002, LogLevel.Debug, "Webhook {MessageId} from {Source} was already received; acknowledged without processing.", EventName = "WebhookDuplicate")]
    public static partial void WebhookDuplicate(ILogger logger, string source, string messageId);

    [LoggerMessage(3003, LogLevel.Warning, "Webhook {InboxId} ({Type}) failed on attempt {Attempt}; retrying at {NextAttempt}.", EventName = "ProcessingFailed")]
    public static partial void ProcessingFailed(ILogger logger, long inboxId, string type, int attempt, DateTimeOffset nextAttempt, Exception exception);

    [LoggerMessage(3004, LogLevel.Error, "Webhook {InboxId} ({Type}) is dead after {Attempt} attempts.", EventName = "MessageDead")]
    public static partial void MessageDead(ILogger logger, long inboxId, string type, int attempt, Exception exception);

    [LoggerMessage(3005, LogLevel.Warning, "Delivery of webhook {OutboxId} to endpoint {EndpointId} failed on attempt {Attempt}: {Reason}.", EventName = "DeliveryFailed")]
    public static partial void DeliveryFailed(ILogger logger, long outboxId, Guid endpointId, int attempt, string reason);

    [LoggerMessage(3006, LogLevel.Warning, "Endpoint {EndpointId} answered 410 Gone and was disabled.", EventName = "EndpointDisabled")]
    public static partial void EndpointDisabled(ILogger logger, Guid endpointId);

    [LoggerMessage(3007, LogLevel.Error, "A webhook background pass failed; it will run again.", EventName = "BackgroundPassFailed")]
    public static partial void BackgroundPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(3008, LogLevel.Warning, "Listening for webhook notifications failed; polling until it is back.", EventName = "ListenFailed")]
    public static partial void ListenFailed(ILogger logger, Exception exception);

    [LoggerMessage(3009, LogLevel.Warning, "Lost the claim on webhook {InboxId} (another processor took it, this one claimed it again, or its lease ran out before PostgreSQL could renew it): its handler is told to stop.", EventName = "LeaseLost")]
    public static partial void LeaseLost(ILogger logger, long inboxId);

    [LoggerMessage(3010, LogLevel.Warning, "The outcome of webhook {InboxId} ({Type}) was not written: another processor holds it now.", EventName = "OutcomeFenced")]
    public static partial void OutcomeFenced(ILogger logger, long inboxId, string type);

    [LoggerMessage(3011, LogLevel.Information, "Retention purged {Bodies} webhook bodies and deleted {Rows} inbox rows and {Outbox} outbox rows.", EventName = "Purged")]
    public static partial void Purged(ILogger logger, long bodies, long rows, long outbox);
}
