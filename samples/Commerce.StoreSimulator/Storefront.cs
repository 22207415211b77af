using Commerce.Webhooks;

namespace Commerce.StoreSimulator;

/// <summary>Sends the storefront's events as signed webhooks through Commerce.Webhooks' sender (outbox, retries).</summary>
public sealed class Storefront(IWebhookSender sender, StoreModel model)
{
    private Guid _endpoint;

    public int Sent { get; private set; }

    /// <summary>Registers the host's webhook base URL (for example http://localhost:3000/api/webhooks/) with its secret.</summary>
    public async Task ConnectAsync(Uri webhooksBase, string secret, CancellationToken ct = default)
    {
        var endpoint = await sender.AddEndpointAsync(webhooksBase, [WebhookSecret.Parse(secret)], cancellationToken: ct);
        _endpoint = endpoint.Id;
    }

    public Task ProductAsync(StoreModel.Product p, bool created, CancellationToken ct = default) =>
        SendAsync(created ? "products.created" : "products.updated", created ? "products/created" : "products/updated", ProductData(p), ct: ct);

    public Task InventoryAsync(StoreModel.Product p, CancellationToken ct = default) =>
        SendAsync("inventory.updated", "inventory/updated", new { shopId = model.ShopId, productId = p.ProductId, stock = p.Stock, updatedAt = p.UpdatedAt }, ct: ct);

    public Task OrderAsync(StoreModel.Order o, bool created, string? messageId = null, CancellationToken ct = default) =>
        SendAsync(created ? "orders.created" : "orders.updated", created ? "orders/created" : "orders/updated", OrderData(o), messageId, ct);

    public Task StatusAsync(StoreModel.Order o, string? messageId = null, CancellationToken ct = default) =>
        SendAsync("orders.status_changed", "orders/status-changed", new { shopId = model.ShopId, orderId = o.OrderId, status = o.Status, updatedAt = o.UpdatedAt }, messageId, ct);

    /// <summary>The catalogue and history in batches of <paramref name="ordersPerBatch"/> orders.</summary>
    /// <summary>A partial refund (<c>orders.refunded</c>); sending it again is harmless: it is idempotent by its refund id.</summary>
    public Task RefundAsync(StoreModel.Order o, StoreModel.Refund r, string? messageId = null, CancellationToken ct = default) =>
        SendAsync("orders.refunded", "orders/refunded", new
        {
            shopId = model.ShopId, orderId = o.OrderId, refundId = r.RefundId, refundedAt = r.RefundedAt,
            lines = new[] { new { productId = r.ProductId, quantity = r.Quantity, amount = r.Amount } }, shipping = 0m,
        }, messageId, ct);

    public async Task SyncAsync(IReadOnlyList<StoreModel.Product> products, IReadOnlyList<StoreModel.Order> orders, int ordersPerBatch = 500, CancellationToken ct = default)
    {
        await SendAsync("sync.batch", "sync/batch", new { shopId = model.ShopId, products = products.Select(ProductData), orders = Array.Empty<object>() }, ct: ct);
        foreach (var chunk in orders.Chunk(ordersPerBatch))
        {
            await SendAsync("sync.batch", "sync/batch", new { shopId = model.ShopId, products = Array.Empty<object>(), orders = chunk.Select(OrderData) }, ct: ct);
        }
    }

    private object ProductData(StoreModel.Product p) => new
    {
        shopId = model.ShopId, productId = p.ProductId, name = p.Name, sku = p.Sku, category = p.Category, price = p.Price, cost = p.Cost,
        currency = model.Currency, stock = p.Stock, expiresAt = p.ExpiresAt, updatedAt = p.UpdatedAt,
    };

    private object OrderData(StoreModel.Order o) => new
    {
        shopId = model.ShopId, orderId = o.OrderId, platform = o.Platform, status = o.Status, currency = model.Currency,
        createdAt = o.CreatedAt, updatedAt = o.UpdatedAt,
        lines = o.Lines.Select(l => new { productId = l.ProductId, quantity = l.Quantity, unitPrice = l.UnitPrice, unitCost = l.UnitCost }),
        discount = o.Discount, shipping = o.Shipping, tax = o.Tax, platformFee = o.PlatformFee,
    };

    private async Task SendAsync(string type, string path, object data, string? messageId = null, CancellationToken ct = default)
    {
        await sender.SendAsync(_endpoint, type, data, path, messageId, ct);
        Sent++;
    }
}
