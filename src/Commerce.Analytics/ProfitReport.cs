using System.ComponentModel;

namespace Commerce.Analytics;

/// <summary>Revenue, cost, gross profit and margin, overall and per product (by revenue, highest first).</summary>
/// <param name="Range">What was asked.</param>
/// <param name="Currency">The currency.</param>
/// <param name="Revenue">Revenue.</param>
/// <param name="Cost">Cost of goods sold.</param>
/// <param name="GrossProfit">Revenue minus cost.</param>
/// <param name="Margin">Gross profit over revenue, null when there is no revenue.</param>
/// <param name="Products">Per product.</param>
[ImmutableObject(true)]
public sealed record ProfitReport(ReportRange Range, string Currency, decimal Revenue, decimal Cost, decimal GrossProfit, decimal? Margin, IReadOnlyList<ProductProfit> Products);
