// src/Commerce.Analytics/README.md, "Usage".
using Commerce.Analytics;

namespace Commerce.ReadmeExamples;

public static class AnalyticsRegistration
{
    public static void Register(WebApplicationBuilder builder)
    {
        builder.Services.AddCommerceAnalytics(builder.Configuration.GetSection("Commerce:Analytics"))
            .WithPostgres(builder.Configuration.GetConnectionString("Postgres")!);   // migrations applied at start
    }
}

public sealed class StorefrontProjection(IAnalyticsIngestion ingestion, IAnalyticsReports reports)
{
    public async Task OnOrderAsync(CancellationToken ct)
    {
        await ingestion.SetShopAsync("shop-1", "Asia/Bangkok", "THB", ct);        // once; days are local to the shop

        var outcome = await ingestion.UpsertOrderAsync(new OrderSnapshot
        {
            ShopId = "shop-1", OrderId = "o-1001", Platform = "shopee", Status = OrderStatus.Paid, Currency = "THB",
            CreatedAt = DateTimeOffset.Parse("2026-11-20T10:15:00+07:00"),
            UpdatedAt = DateTimeOffset.Parse("2026-11-20T10:16:00+07:00"),          // the version
            Lines = [new OrderLine("p-1", Quantity: 2, UnitPrice: 199.00m, UnitCost: 120.00m)],
        }, ct);
        // Applied, or Ignored for a duplicate / an older version. A status change for an order not seen yet is Deferred.
        await ingestion.ChangeOrderStatusAsync(
            new OrderStatusChange("shop-1", "o-1001", OrderStatus.Refunded, DateTimeOffset.Parse("2026-11-21T09:00:00+07:00")), ct);

        var today = await reports.GetTodayAsync("shop-1", ct);
        var range = new ReportRange("shop-1", today.AddDays(-29), today);          // local dates, inclusive
        SalesSeries sales = await reports.GetSalesAsync(range, SalesInterval.Day, ct);
        ProfitReport profit = await reports.GetProfitAsync(range, maxProducts: 20, ct);
        DashboardMetrics dashboard = await reports.GetDashboardAsync(range, topProducts: 5, ct);
        InventoryInsights shelf = await reports.GetInventoryInsightsAsync("shop-1", ct);
        _ = (outcome, sales, profit, dashboard, shelf);
    }
}
