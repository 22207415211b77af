using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Commerce.Webhooks;

/// <summary>
/// Verifies GitHub webhooks: <c>X-Hub-Signature-256: sha256=&lt;hex HMAC-SHA256 of the body&gt;</c>, with the delivery id
/// (<c>X-GitHub-Delivery</c>) as message id and the event (<c>X-GitHub-Event</c>) as type. GitHub signs no timestamp,
/// so replays are stopped by the inbox's dedupe on the delivery id.
/// </summary>
/// <param name="secrets">The webhook secrets (<see cref="WebhookSecret.FromText"/>).</param>
public sealed class GitHubWebhookVerifier(IEnumerable<WebhookSecret> secrets) : IWebhookVerifier
{
    private readonly WebhookSecret[] _secrets = secrets.ToArray();

    /// <inheritdoc />
    public WebhookVerificationResult Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var signature = headers[WebhookHeaders.GitHubSignature].ToString();
        var delivery = headers[WebhookHeaders.GitHubDelivery].ToString();
        if (signature.Length == 0 || delivery.Length == 0)
        {
            return WebhookVerificationResult.Fail(WebhookVerificationFailure.MissingHeader,
                $"The {WebhookHeaders.GitHubSignature} and {WebhookHeaders.GitHubDelivery} headers are required.");
        }

        Span<byte> candidate = stackalloc byte[32];
        if (!signature.StartsWith("sha256=", StringComparison.Ordinal)
            || signature.Length != 7 + 64
            || Convert.FromHexString(signature.AsSpan(7), candidate, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != 32)
        {
            return WebhookVerificationResult.Fail(WebhookVerificationFailure.NoValidSignature, "The signature is not sha256=<64 hex digits>.");
        }

        Span<byte> expected = stackalloc byte[32];
        foreach (var secret in _secrets)
        {
            HMACSHA256.HashData(secret.Key.Span, body, expected);
            if (CryptographicOperations.FixedTimeEquals(candidate, expected))
            {
                return WebhookVerificationResult.Valid(delivery, null, headers[WebhookHeaders.GitHubEvent].ToString() is { Length: > 0 } e ? e : null);
            }
        }

        return WebhookVerificationResult.Fail(WebhookVerificationFailure.NoValidSignature, "The signature matches no secret of this source.");
    }
}
