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

    /// <summary>Revenue.</summary>
    public required decimal Revenue { get; init; }

    /// <summary>Counted orders.</summary>
    public required int Orders { get; init; }

    /// <summary>Revenue over orders, zero without orders.</summary>
    public required decimal AverageOrderValue { get; init; }

    /// <summary>Units sold.</summary>
    public required int Units { get; init; }

    /// <summary>Revenue minus cost.</summary>
    public required decimal GrossProfit { get; init; }

    /// <summary>Revenue of the previous period.</summary>
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
