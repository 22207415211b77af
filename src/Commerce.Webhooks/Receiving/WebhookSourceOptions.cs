namespace Commerce.Webhooks;

/// <summary>One sender of webhooks to this application, and how to verify it.</summary>
public sealed class WebhookSourceOptions
{
    /// <summary>The signing scheme. Default Standard Webhooks.</summary>
    public WebhookScheme Scheme { get; set; } = WebhookScheme.StandardWebhooks;

    /// <summary>
    /// Its active secrets: <c>whsec_...</c> (24 to 64 bytes) for Standard Webhooks, the plain secret for GitHub and
    /// Shopify. Several during a key rotation; a webhook signed with any of them is accepted.
    /// </summary>
    public IList<string> Secrets { get; set; } = [];

    /// <summary>
    /// Standard Webhooks only: Ed25519 public keys (<c>whpk_...</c>) that verify the sender's asymmetric <c>v1a</c>
    /// signatures. Opt-in: a source with keys accepts <c>v1a</c> as well as <c>v1</c> (HMAC) signatures from its secrets;
    /// a source may have keys and no secrets.
    /// </summary>
    public IList<string> PublicKeys { get; set; } = [];

    /// <summary>How far a Standard Webhooks timestamp may be from now, either way. Default 5 minutes.</summary>
    public TimeSpan Tolerance { get; set; } = StandardWebhookVerifier.DefaultTolerance;
}
