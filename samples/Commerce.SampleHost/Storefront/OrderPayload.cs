namespace Commerce.SampleHost;

/// <summary>
/// <c>data</c> of <c>orders.created</c> / <c>orders.updated</c>. The order-level amounts are optional (0 when absent):
/// <see cref="Discount"/> lowers net sales, <see cref="Shipping"/> and <see cref="Tax"/> are reported apart from sales,
/// <see cref="PlatformFee"/> is what the platform charged the seller and lowers gross profit.
/// </summary>
public sealed record OrderPayload(
    string ShopId, string OrderId, string Platform, string Status, string Currency,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<OrderLinePayload> Lines,
    decimal Discount = 0, decimal Shipping = 0, decimal Tax = 0, decimal PlatformFee = 0);
