namespace Commerce.Analytics;

/// <summary>A product's stock at <paramref name="UpdatedAt"/>.</summary>
/// <param name="ShopId">The shop.</param>
/// <param name="ProductId">The product.</param>
/// <param name="Stock">Units in stock.</param>
/// <param name="UpdatedAt">The version of the stock figure.</param>
public sealed record InventoryUpdate(string ShopId, string ProductId, int Stock, DateTimeOffset UpdatedAt);
