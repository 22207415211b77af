namespace Commerce.Analytics;

/// <summary>
/// A product whose stock will run out within its lead time at its current sales velocity.
/// </summary>
/// <param name="ProductId">The product.</param>
/// <param name="Name">Its name.</param>
/// <param name="Sku">Its SKU.</param>
/// <param name="Stock">Units in stock.</param>
/// <param name="DailyVelocity">Units sold per day over the velocity window.</param>
/// <param name="DaysOfCover">Stock over velocity: days until it runs out.</param>
/// <param name="LeadTimeDays">Days a reorder takes.</param>
/// <param name="ReorderPoint">The suggested reorder point: velocity × (lead time + safety days), rounded up.</param>
public sealed record AtRiskProduct(string ProductId, string Name, string? Sku, int Stock, decimal DailyVelocity, decimal DaysOfCover, int LeadTimeDays, int ReorderPoint);
