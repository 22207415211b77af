namespace Commerce.Analytics;

/// <summary>
/// Reports for a shop, read from summary tables: their cost grows with the summary rows a range covers (days,
/// platforms, products), not with its number of orders. Days are local to the shop.
/// </summary>
public interface IAnalyticsReports
{
    /// <summary>Today's date in the shop's time zone (by the application's clock).</summary>
    /// <param name="shopId">The shop.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The local date.</returns>
    Task<DateOnly> GetTodayAsync(string shopId, CancellationToken cancellationToken = default);

    /// <summary>Sales over time, every bucket present.</summary>
    /// <param name="range">Shop, local dates, currency.</param>
    /// <param name="interval">Day, week or month.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The series.</returns>
    Task<SalesSeries> GetSalesAsync(ReportRange range, SalesInterval interval, CancellationToken cancellationToken = default);

    /// <summary>Revenue, cost, gross profit and margin, overall and per product.</summary>
    /// <param name="range">Shop, local dates, currency.</param>
    /// <param name="maxProducts">At most this many products, by revenue.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The report.</returns>
    Task<ProfitReport> GetProfitAsync(ReportRange range, int maxProducts = 50, CancellationToken cancellationToken = default);

    /// <summary>Sales per platform.</summary>
    /// <param name="range">Shop, local dates, currency.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The report.</returns>
    Task<PlatformReport> GetPlatformsAsync(ReportRange range, CancellationToken cancellationToken = default);

    /// <summary>The dashboard's figures, their change against the previous period, and the best sellers.</summary>
    /// <param name="range">Shop, local dates, currency.</param>
    /// <param name="topProducts">How many best sellers.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The metrics.</returns>
    Task<DashboardMetrics> GetDashboardAsync(ReportRange range, int topProducts = 5, CancellationToken cancellationToken = default);

    /// <summary>The shops that sold something in the last <paramref name="days"/> days, busiest first (to warm their caches).</summary>
    /// <param name="days">How far back to look, in days.</param>
    /// <param name="limit">The most shops returned.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Shop ids.</returns>
    Task<IReadOnlyList<string>> GetActiveShopsAsync(int days = 30, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>SmartShelf: at-risk inventory, dead stock and items near expiry, as of today in the shop's time zone.</summary>
    /// <param name="shopId">The shop.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The insights.</returns>
    Task<InventoryInsights> GetInventoryInsightsAsync(string shopId, CancellationToken cancellationToken = default);
}
