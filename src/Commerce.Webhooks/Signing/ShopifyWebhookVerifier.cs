using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Commerce.Webhooks;

/// <summary>
/// Verifies Shopify webhooks: <c>X-Shopify-Hmac-Sha256: &lt;base64 HMAC-SHA256 of the body&gt;</c>, with
/// <c>X-Shopify-Event-Id</c> as message id (the same on every delivery of one event; <c>X-Shopify-Webhook-Id</c> when
/// absent), <c>X-Shopify-Topic</c> as type and <c>X-Shopify-Triggered-At</c> as timestamp. Shopify retries for up to two days, so no timestamp tolerance is applied; the inbox's dedupe stops replays.
/// </summary>
/// <param name="secrets">The app's client secrets (<see cref="WebhookSecret.FromText"/>).</param>
public sealed class ShopifyWebhookVerifier(IEnumerable<WebhookSecret> secrets) : IWebhookVerifier
{
    private readonly WebhookSecret[] _secrets = secrets.ToArray();

    /// <inheritdoc />
    public WebhookVerificationResult Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var signature = headers[WebhookHeaders.ShopifySignature].ToString();
        var id = headers[WebhookHeaders.ShopifyEventId].ToString() is { Length: > 0 } eventId ? eventId : headers[WebhookHeaders.ShopifyWebhookId].ToString();
        if (signature.Length == 0 || id.Length == 0)
        {
            return WebhookVerificationResult.Fail(WebhookVerificationFailure.MissingHeader,
                $"The {WebhookHeaders.ShopifySignature} and {WebhookHeaders.ShopifyWebhookId} headers are required.");
        }

        Span<byte> candidate = stackalloc byte[33];
        if (!Convert.TryFromBase64String(signature, candidate, out var written) || written != 32)
        {
            return WebhookVerificationResult.Fail(WebhookVerificationFailure.NoValidSignature, "The signature is not a base64 SHA-256 HMAC.");
        }

        Span<byte> expected = stackalloc byte[32];
        foreach (var secret in _secrets)
        {
            HMACSHA256.HashData(secret.Key.Span, body, expected);
            if (CryptographicOperations.FixedTimeEquals(candidate[..32], expected))
            {
                DateTimeOffset? triggered = DateTimeOffset.TryParse(headers[WebhookHeaders.ShopifyTriggeredAt].ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
                return WebhookVerificationResult.Valid(id, triggered, headers[WebhookHeaders.ShopifyTopic].ToString() is { Length: > 0 } topic ? topic : null);
            }
        }

        return WebhookVerificationResult.Fail(WebhookVerificationFailure.NoValidSignature, "The signature matches no secret of this source.");
    }
}
