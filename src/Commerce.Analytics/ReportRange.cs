namespace Commerce.Analytics;

/// <summary>A report's scope: a shop, local dates <see cref="From"/> to <see cref="To"/> inclusive, one currency.</summary>
/// <param name="ShopId">The shop.</param>
/// <param name="From">First local day.</param>
/// <param name="To">Last local day.</param>
/// <param name="Currency">The currency reported on; null for the shop's currency.</param>
public sealed record ReportRange(string ShopId, DateOnly From, DateOnly To, string? Currency = null);
