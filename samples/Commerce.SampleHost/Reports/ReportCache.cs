using System.ComponentModel;
using Commerce.Analytics;
using Commerce.Caching;

namespace Commerce.SampleHost;

/// <summary>
/// The cached reports of a shop: their keys, durations and loads, shared by the reports API and the warm-up. Every
/// entry is in scope <c>shop:{id}</c>, which each webhook of the shop invalidates on every instance. The cached
/// records are marked immutable, so a cache hit hands out the same instance without copying it.
/// </summary>
public static class ReportCache
{
    public static readonly CommerceCacheEntryOptions Sales = new() { Duration = TimeSpan.FromMinutes(15) };
    public static readonly CommerceCacheEntryOptions Dashboard = new() { Duration = TimeSpan.FromMinutes(10) };
    public static readonly CommerceCacheEntryOptions AtRisk = new() { Duration = TimeSpan.FromMinutes(5) };

    // The shop's today (a PostgreSQL read of its time zone) would otherwise cost a round trip per request, cache hit or
    // not; a minute of staleness only matters in the minute after midnight.
    public static readonly CommerceCacheEntryOptions Today = new() { Duration = TimeSpan.FromMinutes(1) };

    [ImmutableObject(true)]
    public sealed record Metrics(
        string ShopId, string Currency, DateOnly Start, DateOnly End, decimal TotalRevenue, int TotalOrders, decimal AverageOrderValue,
        decimal TotalProfit, int TotalUnits, decimal? RevenueChange, decimal? OrdersChange, IReadOnlyList<TopProduct> TopProducts,
        DateOnly PreviousStart, DateOnly PreviousEnd, decimal PreviousRevenue, int PreviousOrders,
        decimal GrossSales, decimal Discounts, decimal NetSales, decimal Shipping, decimal Taxes, decimal TotalSales, decimal Cogs, decimal PlatformFees, decimal Returns);

    [ImmutableObject(true)]
    public sealed record ShelfDashboard(
        string ShopId, DateOnly AsOf, int Products, decimal InventoryValue, int AtRiskCount, int DeadStockCount, int ExpiringCount,
        IReadOnlyList<AtRiskProduct> AtRisk, IReadOnlyList<DeadStockProduct> DeadStock, IReadOnlyList<ExpiringProduct> Expiring,
        IReadOnlyDictionary<string, decimal> InventoryValueByCurrency);

    public static string Scope(string shopId) => $"shop:{shopId}";

    public static string TodayKey(string shopId) => $"today:{shopId}";

    public static string MetricsKey(ReportRange r) => $"metrics:{r.ShopId}:{r.From}:{r.To}";

    public static string ShelfKey(string shopId) => $"shelf:{shopId}";

    /// <summary>The default range of a report: the last 30 days up to the shop's today.</summary>
    public static ReportRange DefaultRange(string shopId, DateOnly today) => new(shopId, today.AddDays(-29), today);

    public static ValueTask<DateOnly> TodayAsync(CommerceCache cache, IAnalyticsReports analytics, string shopId, CancellationToken ct) =>
        cache.GetOrSetAsync(TodayKey(shopId), (analytics, shopId), static (s, ct) => new ValueTask<DateOnly>(s.analytics.GetTodayAsync(s.shopId, ct)), Today, cancellationToken: ct);

    public static ValueTask<Metrics> MetricsAsync(CommerceCache cache, IAnalyticsReports analytics, ReportRange r, CancellationToken ct) =>
        cache.GetOrSetAsync(MetricsKey(r), (analytics, r), static (s, ct) => LoadMetricsAsync(s.analytics, s.r, ct), Dashboard, Scope(r.ShopId), ct);

    public static ValueTask<ShelfDashboard> ShelfAsync(CommerceCache cache, IAnalyticsReports analytics, string shopId, CancellationToken ct) =>
        cache.GetOrSetAsync(ShelfKey(shopId), (analytics, shopId), static (s, ct) => LoadShelfAsync(s.analytics, s.shopId, ct), AtRisk, Scope(shopId), ct);

    public static async ValueTask<Metrics> LoadMetricsAsync(IAnalyticsReports analytics, ReportRange r, CancellationToken ct)
    {
        var d = await analytics.GetDashboardAsync(r, 5, ct);
        return new Metrics(d.Range.ShopId, d.Currency, d.Range.From, d.Range.To, d.Revenue, d.Orders, d.AverageOrderValue, d.GrossProfit, d.Units,
            d.RevenueChange, d.OrdersChange, d.TopProducts,
            PreviousStart: r.From.AddDays(-(r.To.DayNumber - r.From.DayNumber + 1)), PreviousEnd: r.From.AddDays(-1), d.PreviousRevenue, d.PreviousOrders,
            d.GrossSales, d.Discounts, d.NetSales, d.Shipping, d.Taxes, d.TotalSales, d.Cogs, d.PlatformFees, d.Returns);
    }

    public static async ValueTask<ShelfDashboard> LoadShelfAsync(IAnalyticsReports analytics, string shopId, CancellationToken ct)
    {
        var i = await analytics.GetInventoryInsightsAsync(shopId, ct);
        return new ShelfDashboard(i.ShopId, i.AsOf, i.Products, i.InventoryValue, i.AtRisk.Count, i.DeadStock.Count, i.Expiring.Count,
            i.AtRisk.Take(5).ToList(), i.DeadStock.Take(5).ToList(), i.Expiring.Take(5).ToList(), i.InventoryValueByCurrency);
    }
}
