using System.Text.Json;

namespace Commerce.Notifications;

/// <summary>One notification for many recipients (a promotion), created in the background in batches.</summary>
public sealed record BulkNotificationRequest
{
    /// <summary>The users (duplicates are ignored).</summary>
    public required IReadOnlyCollection<string> RecipientIds { get; init; }

    /// <summary>Its kind, for example <c>promotion</c>.</summary>
    public required string Type { get; init; }

    /// <summary>A short title.</summary>
    public required string Title { get; init; }

    /// <summary>The text, if any.</summary>
    public string? Body { get; init; }

    /// <summary>Structured data for the client (a JSON object), if any.</summary>
    public JsonElement? Data { get; init; }

    /// <summary>
    /// Makes queueing idempotent (at most 200 characters): queueing again with the same key, from any instance, returns
    /// the job queued first. Null: no check.
    /// </summary>
    public string? IdempotencyKey { get; init; }
}
