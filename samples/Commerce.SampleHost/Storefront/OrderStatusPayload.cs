namespace Commerce.SampleHost;

/// <summary><c>data</c> of <c>orders.status_changed</c>.</summary>
public sealed record OrderStatusPayload(string ShopId, string OrderId, string Status, DateTimeOffset UpdatedAt);
