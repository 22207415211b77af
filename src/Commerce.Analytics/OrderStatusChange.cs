namespace Commerce.Analytics;

/// <summary>An order's new status at <paramref name="UpdatedAt"/>.</summary>
/// <param name="ShopId">The shop.</param>
/// <param name="OrderId">The order.</param>
/// <param name="Status">Its new status.</param>
/// <param name="UpdatedAt">The version.</param>
public sealed record OrderStatusChange(string ShopId, string OrderId, OrderStatus Status, DateTimeOffset UpdatedAt);
