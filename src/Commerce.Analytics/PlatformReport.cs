using System.ComponentModel;

namespace Commerce.Analytics;

/// <summary>Sales per platform, by revenue, highest first.</summary>
/// <param name="Range">What was asked.</param>
/// <param name="Currency">The currency.</param>
/// <param name="Platforms">Per platform.</param>
[ImmutableObject(true)]
public sealed record PlatformReport(ReportRange Range, string Currency, IReadOnlyList<PlatformSales> Platforms);
