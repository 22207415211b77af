using System.ComponentModel;

namespace Commerce.Analytics;

/// <summary>Sales over time.</summary>
/// <param name="Range">What was asked.</param>
/// <param name="Currency">The currency of the figures.</param>
/// <param name="Interval">The bucket size.</param>
/// <param name="Points">Every bucket from the one containing <see cref="ReportRange.From"/> to the one containing <see cref="ReportRange.To"/>.</param>
[ImmutableObject(true)]
public sealed record SalesSeries(ReportRange Range, string Currency, SalesInterval Interval, IReadOnlyList<SalesPoint> Points);
