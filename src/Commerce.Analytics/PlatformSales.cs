namespace Commerce.Analytics;

/// <summary>Sales of one platform (sales channel).</summary>
/// <param name="Platform">The platform.</param>
/// <param name="Revenue">Revenue.</param>
/// <param name="Orders">Counted orders.</param>
/// <param name="Units">Units.</param>
/// <param name="AverageOrderValue">Revenue over orders, null without orders.</param>
/// <param name="RevenueShare">Its share of all revenue, null when there is none.</param>
/// <param name="GrossProfit">Revenue minus cost.</param>
public sealed record PlatformSales(string Platform, decimal Revenue, int Orders, int Units, decimal? AverageOrderValue, decimal? RevenueShare, decimal GrossProfit);
