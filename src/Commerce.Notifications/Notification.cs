using System.Text.Json;

namespace Commerce.Notifications;

/// <summary>
/// A stored notification. <see cref="Sequence"/> numbers a recipient's notifications 1, 2, 3, ... without gaps, so a
/// client that remembers the last one it saw can ask for exactly what it missed.
/// </summary>
public sealed record Notification
{
    /// <summary>Its id (unique across recipients).</summary>
    public required long Id { get; init; }

    /// <summary>The user it is for.</summary>
    public required string RecipientId { get; init; }

    /// <summary>Its position in the recipient's stream (1, 2, 3, ...).</summary>
    public required long Sequence { get; init; }

    /// <summary>Its kind, for example <c>order_status</c>, <c>reservation_expiring</c>, <c>promotion</c>.</summary>
    public required string Type { get; init; }

    /// <summary>A short title.</summary>
    public required string Title { get; init; }

    /// <summary>The text, if any.</summary>
    public string? Body { get; init; }

    /// <summary>Structured data for the client (a JSON object), if any.</summary>
    public JsonElement? Data { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the recipient read it; null while unread.</summary>
    public DateTimeOffset? ReadAt { get; init; }
}
