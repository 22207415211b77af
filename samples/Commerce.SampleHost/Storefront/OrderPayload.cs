namespace Commerce.SampleHost;

/// <summary><c>data</c> of <c>orders.created</c> / <c>orders.updated</c>.</summary>
public sealed record OrderPayload(
    string ShopId, string OrderId, string Platform, string Status, string Currency,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<OrderLinePayload> Lines);
