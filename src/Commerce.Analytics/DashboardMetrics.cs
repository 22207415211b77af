using System.ComponentModel;

namespace Commerce.Analytics;

/// <summary>
/// The dashboard's figures for a range, and their change against the previous period of the same length (the days just
/// before <see cref="ReportRange.From"/>). A change is a fraction (0.25 = +25%), null when the previous figure is zero.
/// </summary>
[ImmutableObject(true)]
public sealed record DashboardMetrics
{
    /// <summary>What was asked.</summary>
    public required ReportRange Range { get; init; }

    /// <summary>The currency.</summary>
    public required string Currency { get; init; }

    /// <summary>Net sales: <see cref="GrossSales"/> minus <see cref="Discounts"/> minus <see cref="Returns"/> (kept under this name for existing clients).</summary>
    public required decimal Revenue { get; init; }

    /// <summary>Price x quantity of the lines of counted orders, on their day.</summary>
    public decimal GrossSales { get; init; }

    /// <summary>Order-level discounts of counted orders.</summary>
    public decimal Discounts { get; init; }

    /// <summary>Refunds booked in the range, on the day they happened: a refund never changes a past period.</summary>
    public decimal Returns { get; init; }

    /// <summary>Net sales (the same as <see cref="Revenue"/>).</summary>
    public decimal NetSales => Revenue;

    /// <summary>Shipping charged.</summary>
    public decimal Shipping { get; init; }

    /// <summary>Taxes charged.</summary>
    public decimal Taxes { get; init; }

    /// <summary>Net sales plus shipping plus taxes: what shoppers paid.</summary>
    public decimal TotalSales => Revenue + Shipping + Taxes;

    /// <summary>Cost of goods sold, at the cost of each line at the time of sale.</summary>
    public decimal Cogs { get; init; }

    /// <summary>What the sales platforms charged the seller.</summary>
    public decimal PlatformFees { get; init; }

    /// <summary>Counted orders.</summary>
    public required int Orders { get; init; }

    /// <summary>Net sales over orders, zero without orders.</summary>
    public required decimal AverageOrderValue { get; init; }

    /// <summary>Units sold.</summary>
    public required int Units { get; init; }

    /// <summary>Net sales minus cost of goods minus platform fees.</summary>
    public required decimal GrossProfit { get; init; }

    /// <summary>Net sales of the previous period.</summary>
    public required decimal PreviousRevenue { get; init; }

    /// <summary>Orders of the previous period.</summary>
    public required int PreviousOrders { get; init; }

    /// <summary>Revenue change.</summary>
    public decimal? RevenueChange { get; init; }

    /// <summary>Orders change.</summary>
    public decimal? OrdersChange { get; init; }

    /// <summary>Average order value change.</summary>
    public decimal? AverageOrderValueChange { get; init; }

    /// <summary>Units change.</summary>
    public decimal? UnitsChange { get; init; }

    /// <summary>The best sellers by revenue.</summary>
    public required IReadOnlyList<TopProduct> TopProducts { get; init; }
}
