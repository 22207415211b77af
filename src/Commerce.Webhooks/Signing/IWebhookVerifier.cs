using Microsoft.AspNetCore.Http;

namespace Commerce.Webhooks;

/// <summary>Checks that a webhook comes from who it claims, over the exact bytes received.</summary>
public interface IWebhookVerifier
{
    /// <summary>Verifies a webhook.</summary>
    /// <param name="headers">The request headers.</param>
    /// <param name="body">The raw body, exactly as received.</param>
    /// <returns>Valid (with the message id), or why not.</returns>
    WebhookVerificationResult Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body);
}
