namespace Commerce.Webhooks;

/// <summary>
/// Header names of the supported schemes. Standard Webhooks senders use either the <c>webhook-*</c> names or, like Svix,
/// the <c>svix-*</c> names for the same three values; both are accepted.
/// </summary>
public static class WebhookHeaders
{
    /// <summary>Standard Webhooks: the message id, also the idempotency key.</summary>
    public const string Id = "webhook-id";

    /// <summary>Standard Webhooks: seconds since the Unix epoch when the attempt was signed.</summary>
    public const string Timestamp = "webhook-timestamp";

    /// <summary>
    /// Standard Webhooks: space-separated <c>v1,&lt;base64&gt;</c> (HMAC-SHA256) and <c>v1a,&lt;base64&gt;</c> (Ed25519)
    /// signatures; several header lines are read as one list.
    /// </summary>
    public const string Signature = "webhook-signature";

    /// <summary>Svix's name for <see cref="Id"/>.</summary>
    public const string SvixId = "svix-id";

    /// <summary>Svix's name for <see cref="Timestamp"/>.</summary>
    public const string SvixTimestamp = "svix-timestamp";

    /// <summary>Svix's name for <see cref="Signature"/>.</summary>
    public const string SvixSignature = "svix-signature";

    /// <summary>GitHub: <c>sha256=&lt;hex&gt;</c>.</summary>
    public const string GitHubSignature = "X-Hub-Signature-256";

    /// <summary>GitHub: the delivery id.</summary>
    public const string GitHubDelivery = "X-GitHub-Delivery";

    /// <summary>GitHub: the event name.</summary>
    public const string GitHubEvent = "X-GitHub-Event";

    /// <summary>Shopify: base64 HMAC-SHA256 of the body.</summary>
    public const string ShopifySignature = "X-Shopify-Hmac-Sha256";

    /// <summary>Shopify: the event id, the same on every delivery of one event (the dedupe key when present).</summary>
    public const string ShopifyEventId = "X-Shopify-Event-Id";

    /// <summary>Shopify: the shop the event belongs to (<c>acme.myshopify.com</c>).</summary>
    public const string ShopifyShopDomain = "X-Shopify-Shop-Domain";

    /// <summary>Shopify: the API version the payload is written in.</summary>
    public const string ShopifyApiVersion = "X-Shopify-API-Version";

    /// <summary>Shopify: the id of this delivery.</summary>
    public const string ShopifyWebhookId = "X-Shopify-Webhook-Id";

    /// <summary>Shopify: the topic.</summary>
    public const string ShopifyTopic = "X-Shopify-Topic";

    /// <summary>Shopify: when the event was triggered (ISO 8601).</summary>
    public const string ShopifyTriggeredAt = "X-Shopify-Triggered-At";
}
