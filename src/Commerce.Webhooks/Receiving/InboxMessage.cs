namespace Commerce.Webhooks;

/// <summary>A row of the inbox, for operators.</summary>
/// <param name="Id">The inbox id.</param>
/// <param name="Source">The source.</param>
/// <param name="MessageId">The sender's message id.</param>
/// <param name="Type">The event type.</param>
/// <param name="Status">Where it is.</param>
/// <param name="Attempts">Processing attempts so far.</param>
/// <param name="ReceivedAt">When it was committed.</param>
/// <param name="NextAttemptAt">When it will be tried next, if pending.</param>
/// <param name="ProcessedAt">When it was handled, if processed.</param>
/// <param name="LastError">The last handler error, if any.</param>
public sealed record InboxMessage(
    long Id,
    string Source,
    string MessageId,
    string Type,
    InboxMessageStatus Status,
    int Attempts,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? ProcessedAt,
    string? LastError);
