namespace Commerce.Webhooks;

/// <summary>One sender of webhooks to this application, and how to verify it.</summary>
public sealed class WebhookSourceOptions
{
    /// <summary>The signing scheme. Default Standard Webhooks.</summary>
    public WebhookScheme Scheme { get; set; } = WebhookScheme.StandardWebhooks;

    /// <summary>
    /// Its active secrets: <c>whsec_...</c> for Standard Webhooks, the plain secret for GitHub and Shopify. Several
    /// during a key rotation; a webhook signed with any of them is accepted.
    /// </summary>
    public IList<string> Secrets { get; set; } = [];

    /// <summary>How far a Standard Webhooks timestamp may be from now, either way. Default 5 minutes.</summary>
    public TimeSpan Tolerance { get; set; } = StandardWebhookVerifier.DefaultTolerance;
}
