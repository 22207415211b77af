using System.Globalization;
using System.Text.Json;

namespace Commerce.Webhooks;

/// <summary>
/// A received webhook, as stored in the inbox and handed to handlers. A handler may see a message more than once
/// (at-least-once): use <see cref="Source"/> + <see cref="MessageId"/> to tell, and <see cref="Timestamp"/> to ignore
/// an event older than what it already applied.
/// </summary>
public sealed class WebhookMessage
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>Creates a message.</summary>
    public WebhookMessage(long id, string source, string messageId, string type, DateTimeOffset? timestamp, DateTimeOffset receivedAt, int attempt, ReadOnlyMemory<byte> body)
    {
        Id = id;
        Source = source;
        MessageId = messageId;
        Type = type;
        Timestamp = timestamp;
        ReceivedAt = receivedAt;
        Attempt = attempt;
        Body = body;
    }

    /// <summary>The inbox row id.</summary>
    public long Id { get; }

    /// <summary>The source it came from (the name configured in <see cref="WebhooksOptions.Sources"/>).</summary>
    public string Source { get; }

    /// <summary>The sender's message id (<c>webhook-id</c>): unique per source, the dedupe key.</summary>
    public string MessageId { get; }

    /// <summary>The event type: the envelope's <c>type</c>, else the scheme's event header, else the endpoint's.</summary>
    public string Type { get; }

    /// <summary>When the event happened: the envelope's <c>timestamp</c>, else the signature's.</summary>
    public DateTimeOffset? Timestamp { get; }

    /// <summary>When this application committed it to the inbox.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>Which attempt this is, from 1.</summary>
    public int Attempt { get; }

    /// <summary>The body exactly as received.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>Deserializes the envelope's <c>data</c> (or the whole body when it has none) with System.Text.Json web defaults.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="options">Serializer options; null for web defaults (camelCase).</param>
    /// <returns>The payload.</returns>
    /// <exception cref="JsonException">The body is not JSON of that shape.</exception>
    public T GetData<T>(JsonSerializerOptions? options = null)
    {
        using var document = JsonDocument.Parse(Body);
        var element = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("data", out var data)
            ? data
            : document.RootElement;
        return element.Deserialize<T>(options ?? Web) ?? throw new JsonException($"The {Type} payload is null.");
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Source}/{MessageId} {Type} (attempt {Attempt})");
}
