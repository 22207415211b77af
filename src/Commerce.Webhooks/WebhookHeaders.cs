namespace Commerce.Webhooks;

/// <summary>Header names of the supported schemes.</summary>
public static class WebhookHeaders
{
    /// <summary>Standard Webhooks: the message id, also the idempotency key.</summary>
    public const string Id = "webhook-id";

    /// <summary>Standard Webhooks: seconds since the Unix epoch when the attempt was signed.</summary>
    public const string Timestamp = "webhook-timestamp";

    /// <summary>Standard Webhooks: space-separated <c>v1,&lt;base64&gt;</c> signatures.</summary>
    public const string Signature = "webhook-signature";

    /// <summary>GitHub: <c>sha256=&lt;hex&gt;</c>.</summary>
    public const string GitHubSignature = "X-Hub-Signature-256";

    /// <summary>GitHub: the delivery id.</summary>
    public const string GitHubDelivery = "X-GitHub-Delivery";

    /// <summary>GitHub: the event name.</summary>
    public const string GitHubEvent = "X-GitHub-Event";

    /// <summary>Shopify: base64 HMAC-SHA256 of the body.</summary>
    public const string ShopifySignature = "X-Shopify-Hmac-Sha256";

    /// <summary>Shopify: the webhook id.</summary>
    public const string ShopifyWebhookId = "X-Shopify-Webhook-Id";

    /// <summary>Shopify: the topic.</summary>
    public const string ShopifyTopic = "X-Shopify-Topic";

    /// <summary>Shopify: when the event was triggered (ISO 8601).</summary>
    public const string ShopifyTriggeredAt = "X-Shopify-Triggered-At";
}
