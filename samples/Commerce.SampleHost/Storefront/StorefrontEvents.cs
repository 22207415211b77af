namespace Commerce.SampleHost;

/// <summary>The storefront's webhook types and the routes they arrive on (docs/webhooks.md).</summary>
public static class StorefrontEvents
{
    public static readonly IReadOnlyDictionary<string, string> Routes = new Dictionary<string, string>
    {
        ["products/created"] = "products.created",
        ["products/updated"] = "products.updated",
        ["products/deleted"] = "products.deleted",
        ["orders/created"] = "orders.created",
        ["orders/updated"] = "orders.updated",
        ["orders/status-changed"] = "orders.status_changed",
        ["orders/refunded"] = "orders.refunded",
        ["inventory/updated"] = "inventory.updated",
        ["sync/batch"] = "sync.batch",
        ["payments/succeeded"] = "payments.succeeded",
    };
}
