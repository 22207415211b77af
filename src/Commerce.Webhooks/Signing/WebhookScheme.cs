namespace Commerce.Webhooks;

/// <summary>How a source signs its webhooks.</summary>
public enum WebhookScheme
{
    /// <summary>Standard Webhooks 1.0 (<c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature</c>).</summary>
    StandardWebhooks,

    /// <summary>GitHub (<c>X-Hub-Signature-256</c>).</summary>
    GitHub,

    /// <summary>Shopify (<c>X-Shopify-Hmac-Sha256</c>).</summary>
    Shopify,
}
