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

    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a message.</summary>
    /// <param name="id">The inbox row id.</param>
    /// <param name="source">The source.</param>
    /// <param name="messageId">The sender's message id.</param>
    /// <param name="type">The event type.</param>
    /// <param name="timestamp">When the event happened, if known.</param>
    /// <param name="receivedAt">When it was committed to the inbox.</param>
    /// <param name="attempt">Which attempt this is, from 1.</param>
    /// <param name="body">The body as received.</param>
    /// <param name="headers">The kept request headers (case-insensitive names); null for none.</param>
    public WebhookMessage(long id, string source, string messageId, string type, DateTimeOffset? timestamp, DateTimeOffset receivedAt, int attempt, ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, string>? headers = null)
    {
        Headers = headers ?? NoHeaders;
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

    /// <summary>
    /// The request headers kept with the message (case-insensitive): the scheme's id, timestamp and event headers,
    /// Shopify's shop domain, event id and API version, <c>content-type</c> and <c>user-agent</c>. Signatures are not kept.
    /// </summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

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
