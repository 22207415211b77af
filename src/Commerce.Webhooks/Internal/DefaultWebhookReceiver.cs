using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.Webhooks.Internal;

internal sealed class DefaultWebhookReceiver(
    VerifierRegistry verifiers,
    InboxStore store,
    IWebhookInbox inbox,
    IOptions<WebhooksOptions> options,
    TimeProvider time,
    WebhooksMetrics metrics,
    ILogger<DefaultWebhookReceiver> logger) : IWebhookReceiver
{
    internal static readonly ActivitySource Activities = new(CommerceWebhooksDiagnostics.ActivitySourceName);

    private static readonly string[] KeptHeaders =
    [
        "content-type", "user-agent", WebhookHeaders.Id, WebhookHeaders.Timestamp, WebhookHeaders.GitHubDelivery,
        WebhookHeaders.GitHubEvent, WebhookHeaders.ShopifyWebhookId, WebhookHeaders.ShopifyTopic, WebhookHeaders.ShopifyTriggeredAt,
    ];

    private readonly DefaultWebhookInbox _inbox = (DefaultWebhookInbox)inbox;

    public async Task<WebhookReceiveResult> ReceiveAsync(
        string source,
        IHeaderDictionary headers,
        ReadOnlyMemory<byte> body,
        string? fallbackType = null,
        bool processInline = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentNullException.ThrowIfNull(headers);
        var started = time.GetTimestamp();
        using var activity = Activities.StartActivity("commerce.webhooks.receive");
        activity?.SetTag("commerce.webhooks.source", source);

        var verification = verifiers.Get(source).Verify(headers, body.Span);
        if (!verification.IsValid)
        {
            metrics.Received(source, "rejected");
            Log.WebhookRejected(logger, source, verification.Failure, verification.Detail);
            activity?.SetTag("commerce.webhooks.outcome", "rejected");
            return new WebhookReceiveResult(WebhookReceiveOutcome.Rejected, verification, null);
        }

        var (envelopeType, envelopeTimestamp) = Envelope.Read(body.Span);
        var type = envelopeType ?? verification.EventType ?? fallbackType ?? "unknown";
        var now = time.GetUtcNow();
        activity?.SetTag("commerce.webhooks.message_id", verification.MessageId);
        activity?.SetTag("commerce.webhooks.type", type);

        var (id, inserted) = await store.InsertAsync(
            source,
            verification.MessageId!,
            type,
            envelopeTimestamp ?? verification.Timestamp,
            HeadersJson(headers),
            body,
            now,
            processInline ? now + options.Value.ProcessingLease : null,
            cancellationToken).ConfigureAwait(false);

        if (!inserted)
        {
            metrics.Received(source, "duplicate", time.GetElapsedTime(started));
            Log.WebhookDuplicate(logger, source, verification.MessageId!);
            activity?.SetTag("commerce.webhooks.outcome", "duplicate");
            return new WebhookReceiveResult(WebhookReceiveOutcome.Duplicate, verification, id);
        }

        if (processInline)
        {
            var row = await store.ReadAsync(id, cancellationToken).ConfigureAwait(false);
            if (await _inbox.ProcessAsync(row, cancellationToken).ConfigureAwait(false))
            {
                metrics.Received(source, "processed", time.GetElapsedTime(started));
                activity?.SetTag("commerce.webhooks.outcome", "processed");
                return new WebhookReceiveResult(WebhookReceiveOutcome.Processed, verification, id);
            }
        }

        metrics.Received(source, "accepted", time.GetElapsedTime(started));
        activity?.SetTag("commerce.webhooks.outcome", "accepted");
        return new WebhookReceiveResult(WebhookReceiveOutcome.Accepted, verification, id);
    }

    private static string HeadersJson(IHeaderDictionary headers)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var name in KeptHeaders)
            {
                if (headers.TryGetValue(name, out var value) && value.Count > 0)
                {
                    writer.WriteString(name.ToLowerInvariant(), value.ToString());
                }
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
