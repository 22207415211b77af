namespace Commerce.Analytics;

/// <summary>Sales of one platform (sales channel).</summary>
/// <param name="Platform">The platform.</param>
/// <param name="Revenue">Net sales: price x quantity minus order discounts minus returns.</param>
/// <param name="Orders">Counted orders.</param>
/// <param name="Units">Units.</param>
/// <param name="AverageOrderValue">Revenue over orders, null without orders.</param>
/// <param name="RevenueShare">Its share of all revenue, null when there is none.</param>
/// <param name="GrossProfit">Net sales minus cost of goods minus the platform's fees.</param>
public sealed record PlatformSales(string Platform, decimal Revenue, int Orders, int Units, decimal? AverageOrderValue, decimal? RevenueShare, decimal GrossProfit)
{
    /// <summary>Refunds of the platform's orders booked in the range.</summary>
    public decimal Returns { get; init; }

    /// <summary>Order-level discounts.</summary>
    public decimal Discounts { get; init; }

    /// <summary>What the platform charged the seller (commission, payment fees), which makes platforms comparable.</summary>
    public decimal PlatformFees { get; init; }
}
