namespace Commerce.Analytics;

/// <summary>A product in stock that has not sold for a while.</summary>
/// <param name="ProductId">The product.</param>
/// <param name="Name">Its name.</param>
/// <param name="Stock">Units in stock.</param>
/// <param name="LastSoldOn">The last local day it sold, or null if it never did.</param>
/// <param name="DaysWithoutSale">Days since it last sold (or since it was first seen, if never).</param>
/// <param name="StockValue">Stock at current unit cost.</param>
public sealed record DeadStockProduct(string ProductId, string Name, int Stock, DateOnly? LastSoldOn, int DaysWithoutSale, decimal StockValue);
