using System.Text.Json;

namespace Commerce.Notifications;

/// <summary>A notification to create for one recipient.</summary>
public sealed record NotificationRequest
{
    /// <summary>The user it is for.</summary>
    public required string RecipientId { get; init; }

    /// <summary>Its kind, for example <c>order_status</c>.</summary>
    public required string Type { get; init; }

    /// <summary>A short title.</summary>
    public required string Title { get; init; }

    /// <summary>The text, if any.</summary>
    public string? Body { get; init; }

    /// <summary>Structured data for the client (a JSON object), if any.</summary>
    public JsonElement? Data { get; init; }

    /// <summary>
    /// Out-of-band deliveries besides the real-time ones: channel name (for example <c>email</c>) to the address on that
    /// channel. Each is queued durably in the same transaction as the notification and retried until delivered.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Channels { get; init; }

    /// <summary>
    /// Makes creation idempotent (at most 200 characters): creating again with the same key for the same recipient, from
    /// any instance, stores nothing new and returns the notification created first. Use a key the event already has (for
    /// example <c>order-1001-shipped</c>), since webhook handlers and event subscribers run at least once. Null: no check.
    /// </summary>
    public string? IdempotencyKey { get; init; }
}
