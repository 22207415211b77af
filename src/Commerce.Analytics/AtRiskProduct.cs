namespace Commerce.Analytics;

/// <summary>
/// A product at or below its reorder point (velocity over the days it was in stock x (lead time + safety days)), or out
/// of stock.
/// </summary>
/// <param name="ProductId">The product.</param>
/// <param name="Name">Its name.</param>
/// <param name="Sku">Its SKU.</param>
/// <param name="Stock">Units in stock.</param>
/// <param name="DailyVelocity">Units sold per day over the velocity window.</param>
/// <param name="DaysOfCover">Stock over velocity: days until it runs out.</param>
/// <param name="LeadTimeDays">Days a reorder takes.</param>
/// <param name="ReorderPoint">The suggested reorder point: velocity × (lead time + safety days), rounded up.</param>
public sealed record AtRiskProduct(string ProductId, string Name, string? Sku, int Stock, decimal DailyVelocity, decimal DaysOfCover, int LeadTimeDays, int ReorderPoint)
{
    /// <summary>The local day it runs out at its velocity (today plus whole days of cover); today when out of stock; null without sales.</summary>
    public DateOnly? StockOutDate { get; init; }

    /// <summary>Units sold in the velocity window over units sold plus units in stock; null when both are zero.</summary>
    public decimal? SellThroughRate { get; init; }

    /// <summary>
    /// Its ABC class by revenue in the velocity window among all the shop's products: A for the best sellers making up
    /// the first 80% of revenue, B for the next 15%, C for the rest and for products that sold nothing.
    /// </summary>
    public string AbcClass { get; init; } = "C";
}
