using System.Text.Json;
using Commerce.Analytics;
using Commerce.Caching;
using Commerce.Notifications;
using Commerce.Webhooks;

namespace Commerce.SampleHost;

/// <summary>
/// What a storefront webhook does (orders created and updated: <see cref="StorefrontOrderBatch"/>), run from the inbox after it was acknowledged: project it into analytics
/// (idempotent, order-safe), invalidate the shop's cached reports on every instance, and tell the shop's dashboard.
/// Throwing makes the inbox retry it later; after its attempts it is parked dead with the error (at once when the payload
/// breaks a rule of analytics: retrying can't help).
/// </summary>
public sealed class StorefrontProjection(IAnalyticsIngestion analytics, CommerceCache cache, INotificationService notifications, PaymentCheckout checkout, ILogger<StorefrontProjection> logger)
    : IWebhookHandler
{
    /// <summary>How storefront payloads are read (camelCase), here and in <see cref="StorefrontOrderBatch"/>.</summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async ValueTask HandleAsync(WebhookMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await ProjectAsync(message, cancellationToken);
        }
        catch (AnalyticsValidationException e)
        {
            // The payload passed the door but breaks a rule of analytics: retrying can't help, so it is parked dead at once.
            throw new WebhookPayloadException(BreaksARule(message, e), e);
        }
        catch (JsonException e)
        {
            throw new WebhookPayloadException($"The {message.Type} payload does not fit: {e.Message}", e);
        }
    }

    private async Task ProjectAsync(WebhookMessage message, CancellationToken cancellationToken)
    {
        var (shopId, roomEvent, detail) = message.Type switch
        {
            "products.created" or "products.updated" => await ProductAsync(message.GetData<ProductPayload>(Json), cancellationToken),
            "products.deleted" => await ProductDeletedAsync(message.GetData<ProductDeletedPayload>(Json), cancellationToken),
            "orders.status_changed" => await StatusAsync(message.GetData<OrderStatusPayload>(Json), cancellationToken),
            "orders.refunded" => await RefundAsync(message.GetData<OrderRefundPayload>(Json), cancellationToken),
            "inventory.updated" => await InventoryAsync(message.GetData<InventoryPayload>(Json), cancellationToken),
            "sync.batch" => await BatchAsync(message.GetData<BatchPayload>(Json), cancellationToken),
            "payments.succeeded" => await PaymentAsync(message.GetData<PaymentPayload>(Json), cancellationToken),
            _ => throw new InvalidOperationException($"Unknown storefront webhook type '{message.Type}'."),
        };

        await cache.InvalidateScopeAsync($"shop:{shopId}", cancellationToken);
        await notifications.PublishRoomEventAsync($"shop:{shopId}", roomEvent, new { webhook = message.Type, detail }, cancellationToken);
        logger.LogDebug("Projected {Type} {MessageId} for shop {ShopId}", message.Type, message.MessageId, shopId);
    }

    private async Task<(string, string, object)> ProductAsync(ProductPayload p, CancellationToken ct)
    {
        var outcome = await analytics.UpsertProductAsync(ToSnapshot(p), ct);
        return (p.ShopId, "product_update", new { p.ProductId, outcome });
    }

    private async Task<(string, string, object)> ProductDeletedAsync(ProductDeletedPayload p, CancellationToken ct)
    {
        var outcome = await analytics.DeleteProductAsync(p.ShopId, p.ProductId, p.UpdatedAt, ct);
        return (p.ShopId, "product_update", new { p.ProductId, deleted = true, outcome });
    }

    private async Task<(string, string, object)> StatusAsync(OrderStatusPayload s, CancellationToken ct)
    {
        var outcome = await analytics.ChangeOrderStatusAsync(new OrderStatusChange(s.ShopId, s.OrderId, ParseStatus(s.Status), s.UpdatedAt), ct);
        return (s.ShopId, "dashboard_update", new { s.OrderId, s.Status, outcome });
    }

    private async Task<(string, string, object)> RefundAsync(OrderRefundPayload r, CancellationToken ct)
    {
        var outcome = await analytics.RecordRefundAsync(new OrderRefund
        {
            ShopId = r.ShopId, OrderId = r.OrderId, RefundId = r.RefundId, RefundedAt = r.RefundedAt, Shipping = r.Shipping ?? 0m,
            Lines = (r.Lines ?? []).Select(l => new RefundLine(l.ProductId, l.Quantity, l.Amount)).ToList(),
        }, ct);
        return (r.ShopId, "dashboard_update", new { r.OrderId, r.RefundId, outcome });
    }

    private async Task<(string, string, object)> InventoryAsync(InventoryPayload i, CancellationToken ct)
    {
        var outcome = await analytics.UpdateInventoryAsync(new InventoryUpdate(i.ShopId, i.ProductId, i.Stock, i.UpdatedAt), ct);
        return (i.ShopId, "inventory_update", new { i.ProductId, i.Stock, outcome });
    }

    private async Task<(string, string, object)> BatchAsync(BatchPayload b, CancellationToken ct)
    {
        var result = await analytics.BulkSyncAsync(b.ShopId, b.Products.Select(ToSnapshot), b.Orders.Select(ToSnapshot), ct);
        return (b.ShopId, "dashboard_update", result);
    }

    private async Task<(string, string, object)> PaymentAsync(PaymentPayload p, CancellationToken ct)
    {
        var (roomEvent, detail) = await checkout.HandleAsync(p, ct);
        return (p.ShopId, roomEvent, detail);
    }

    private static ProductSnapshot ToSnapshot(ProductPayload p) => new()
    {
        ShopId = p.ShopId, ProductId = p.ProductId, Name = p.Name, Sku = p.Sku, Category = p.Category, Price = p.Price, Cost = p.Cost,
        Currency = p.Currency, Stock = p.Stock, ExpiresAt = p.ExpiresAt, LeadTimeDays = p.LeadTimeDays, UpdatedAt = p.UpdatedAt,
    };

    /// <summary>Why a payload that passed the door is parked dead: the analytics rules it breaks.</summary>
    internal static string BreaksARule(WebhookMessage message, AnalyticsValidationException e) =>
        $"The {message.Type} payload breaks a rule: {string.Join("; ", e.Errors.Select(x => $"{x.Key}: {string.Join(" ", x.Value)}"))}";

    internal static OrderSnapshot ToSnapshot(OrderPayload o) => new()
    {
        ShopId = o.ShopId, OrderId = o.OrderId, Platform = o.Platform, Status = ParseStatus(o.Status), Currency = o.Currency,
        CreatedAt = o.CreatedAt, UpdatedAt = o.UpdatedAt,
        Lines = o.Lines.Select(l => new OrderLine(l.ProductId, l.Quantity, l.UnitPrice, l.UnitCost)).ToList(),
        Discount = o.Discount, Shipping = o.Shipping, Tax = o.Tax, PlatformFee = o.PlatformFee,
    };

    private static OrderStatus ParseStatus(string status) =>
        Enum.TryParse<OrderStatus>(status, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new AnalyticsValidationException(new Dictionary<string, string[]> { ["status"] = [$"Unknown order status '{status}'."] });
}
