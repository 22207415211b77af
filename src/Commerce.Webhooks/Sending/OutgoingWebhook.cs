namespace Commerce.Webhooks;

/// <summary>A message accepted for sending, and how its delivery went.</summary>
/// <param name="Id">Its outbox id.</param>
/// <param name="EndpointId">Where it goes.</param>
/// <param name="MessageId">Its <c>webhook-id</c>.</param>
/// <param name="Type">Its event type.</param>
/// <param name="Status">Where it is.</param>
/// <param name="Attempts">Delivery attempts so far.</param>
/// <param name="NextAttemptAt">When it will be tried next, if pending.</param>
/// <param name="LastStatusCode">The last HTTP status received, if any.</param>
/// <param name="LastError">The last failure, if any.</param>
/// <param name="DeliveredAt">When it was delivered.</param>
/// <param name="CreatedAt">When it was accepted for sending.</param>
public sealed record OutgoingWebhook(
    long Id,
    Guid EndpointId,
    string MessageId,
    string Type,
    OutgoingWebhookStatus Status,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    int? LastStatusCode,
    string? LastError,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset CreatedAt);
