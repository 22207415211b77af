using System.ComponentModel;

namespace Commerce.Analytics;

/// <summary>Revenue, cost, gross profit and margin, overall and per product (by revenue, highest first).</summary>
/// <param name="Range">What was asked.</param>
/// <param name="Currency">The currency.</param>
/// <param name="Revenue">Net sales: price x quantity minus order discounts minus returns (per product: price x quantity minus returns, discounts being order-level).</param>
/// <param name="Cost">Cost of goods sold.</param>
/// <param name="GrossProfit">Net sales minus cost minus platform fees (per product: revenue minus cost).</param>
/// <param name="Margin">Gross profit over revenue, null when there is no revenue.</param>
/// <param name="Products">Per product.</param>
[ImmutableObject(true)]
public sealed record ProfitReport(ReportRange Range, string Currency, decimal Revenue, decimal Cost, decimal GrossProfit, decimal? Margin, IReadOnlyList<ProductProfit> Products)
{
    /// <summary>Order-level discounts.</summary>
    public decimal Discounts { get; init; }

    /// <summary>Refunds booked in the range, on the day they happened (net sales are after them).</summary>
    public decimal Returns { get; init; }

    /// <summary>What the sales platforms charged the seller.</summary>
    public decimal PlatformFees { get; init; }
}
