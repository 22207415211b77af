using System.Text.Json;

namespace Commerce.Webhooks.Internal;

/// <summary>A claimed inbox row, as a processor runs it.</summary>
internal sealed record InboxRow(
    long Id,
    string Source,
    string MessageId,
    string Type,
    DateTimeOffset? EventTimestamp,
    DateTimeOffset ReceivedAt,
    int Attempts,
    byte[] Body,
    string HeadersJson,
    Guid ClaimToken)
{
    /// <summary>The message handed to handlers.</summary>
    public WebhookMessage ToMessage() =>
        new(Id, Source, MessageId, Type, EventTimestamp, ReceivedAt, Attempts, Body, ParseHeaders(HeadersJson));

    private static Dictionary<string, string> ParseHeaders(string json)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.String)
            {
                headers[property.Name] = property.Value.GetString()!;
            }
        }

        return headers;
    }
}

/// <summary>A message to store, as the receiver hands it to the inbox writer.</summary>
internal sealed record IncomingMessage(
    string Source,
    string MessageId,
    string Type,
    DateTimeOffset? EventTimestamp,
    string HeadersJson,
    ReadOnlyMemory<byte> Body,
    DateTimeOffset? LockedUntil,
    Guid? ClaimToken);

/// <summary>The outcome of one processed message, to record.</summary>
internal sealed record InboxOutcome(long Id, Guid ClaimToken, InboxMessageStatus Status, DateTimeOffset? NextAttemptAt, string? Error);
