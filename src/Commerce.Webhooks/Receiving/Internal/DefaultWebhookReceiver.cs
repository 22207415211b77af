using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Commerce.Webhooks.Internal;

/// <summary>
/// Receives one webhook: verifies it, checks its message id, commits it to the inbox (group-committed with the
/// requests that arrive together) and, when asked, runs its handlers inline under the claim the insert took.
/// </summary>
internal sealed class DefaultWebhookReceiver(
    VerifierRegistry verifiers,
    InboxWriter writer,
    InboxProcessor processor,
    InboxLeaseKeeper leases,
    TimeProvider time,
    WebhooksMetrics metrics,
    PayloadValidators validators,
    ILogger<DefaultWebhookReceiver> logger) : IWebhookReceiver
{
    private static readonly string[] KeptHeaders =
    [
        "content-type", "user-agent", WebhookHeaders.Id, WebhookHeaders.Timestamp, WebhookHeaders.SvixId, WebhookHeaders.SvixTimestamp,
        WebhookHeaders.GitHubDelivery, WebhookHeaders.GitHubEvent, WebhookHeaders.ShopifyWebhookId, WebhookHeaders.ShopifyEventId,
        WebhookHeaders.ShopifyTopic, WebhookHeaders.ShopifyTriggeredAt, WebhookHeaders.ShopifyShopDomain, WebhookHeaders.ShopifyApiVersion,
    ];

    public async Task<WebhookReceiveResult> ReceiveAsync(
        string source,
        IHeaderDictionary headers,
        ReadOnlyMemory<byte> body,
        WebhookReceiveOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentNullException.ThrowIfNull(headers);
        var started = time.GetTimestamp();
        using var activity = CommerceWebhooksDiagnostics.ActivitySource.StartActivity("commerce.webhooks.receive");
        activity?.SetTag("commerce.webhooks.source", source);

        var verification = verifiers.Get(source).Verify(headers, body.Span);
        if (!verification.IsValid)
        {
            return Refused(source, WebhookReceiveOutcome.Rejected, verification, activity);
        }

        if (MessageIds.Problem(verification.MessageId) is { } problem)
        {
            return Refused(source, WebhookReceiveOutcome.Invalid, WebhookVerificationResult.Fail(WebhookVerificationFailure.InvalidMessageId, problem), activity);
        }

        // A scheme's event header names the type for sure; the body's "type" may be the payload's own field.
        var (envelopeType, envelopeTimestamp) = Envelope.Read(body.Span);
        var named = verification.EventType ?? envelopeType;
        var type = named ?? options?.RequiredType ?? options?.FallbackType ?? "unknown";
        var messageId = verification.MessageId!;
        if (options?.RequiredType is { } required && named is not null && !string.Equals(named, required, StringComparison.Ordinal))
        {
            return Unprocessable(source, verification, activity, new Dictionary<string, string[]>
            {
                ["type"] = [$"This endpoint receives '{required}'; the webhook says '{named}'. Send it to the endpoint of its type."],
            });
        }

        var kept = HeadersOf(headers);
        if (validators.Any && validators.Validate(new WebhookMessage(0, source, messageId, type, envelopeTimestamp ?? verification.Timestamp, time.GetUtcNow(), 0, body, kept)) is { } errors)
        {
            return Unprocessable(source, verification, activity, errors);
        }

        var processInline = options?.ProcessInline ?? false;
        activity?.SetTag("commerce.webhooks.message_id", messageId);
        activity?.SetTag("commerce.webhooks.type", type);

        var claim = processInline ? Guid.NewGuid() : (Guid?)null;
        var leaseUntil = processInline ? leases.LeaseUntil() : (DateTimeOffset?)null;
        var headersJson = HeadersJson(kept);
        var (id, inserted) = await writer.WriteAsync(
            new IncomingMessage(source, messageId, type, envelopeTimestamp ?? verification.Timestamp, headersJson, body, leaseUntil, claim),
            cancellationToken).ConfigureAwait(false);

        if (!inserted)
        {
            metrics.Received(source, "duplicate", time.GetElapsedTime(started));
            Log.WebhookDuplicate(logger, source, messageId);
            activity?.SetTag("commerce.webhooks.outcome", "duplicate");
            return new WebhookReceiveResult(WebhookReceiveOutcome.Duplicate, verification, id);
        }

        if (claim is { } token)
        {
            var row = new InboxRow(id, source, messageId, type, envelopeTimestamp ?? verification.Timestamp, time.GetUtcNow(), 1, body.ToArray(), headersJson, token);
            leases.Hold([row], leaseUntil!.Value, cancellationToken);   // claimed inline: the insert wrote this lease
            if (await processor.RunAsync(new InboxWork([row], processor.Plan([row])[0].Batches), cancellationToken).ConfigureAwait(false) == 1)
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

    private WebhookReceiveResult Refused(string source, WebhookReceiveOutcome outcome, WebhookVerificationResult verification, System.Diagnostics.Activity? activity)
    {
        var name = outcome == WebhookReceiveOutcome.Invalid ? "invalid" : "rejected";
        metrics.Received(source, name);
        Log.WebhookRejected(logger, source, verification.Failure, verification.Detail);
        activity?.SetTag("commerce.webhooks.outcome", name);
        return new WebhookReceiveResult(outcome, verification, null);
    }

    private WebhookReceiveResult Unprocessable(string source, WebhookVerificationResult verification, System.Diagnostics.Activity? activity, IReadOnlyDictionary<string, string[]> errors)
    {
        metrics.Received(source, "unprocessable");
        Log.WebhookUnprocessable(logger, source, verification.MessageId, string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        activity?.SetTag("commerce.webhooks.outcome", "unprocessable");
        return new WebhookReceiveResult(WebhookReceiveOutcome.Unprocessable, verification, null) { Errors = errors };
    }

    private static Dictionary<string, string> HeadersOf(IHeaderDictionary headers)
    {
        var kept = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in KeptHeaders)
        {
            if (headers.TryGetValue(name, out var value) && value.Count > 0)
            {
                kept[name] = value.ToString();
            }
        }

        return kept;
    }

    private static string HeadersJson(Dictionary<string, string> kept)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in kept)
            {
                writer.WriteString(name.ToLowerInvariant(), value);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
