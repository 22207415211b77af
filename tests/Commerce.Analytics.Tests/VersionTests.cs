namespace Commerce.Analytics.Tests;

/// <summary>
/// Storefronts with second-precision clocks send two events of one order with the same <c>updatedAt</c>: they resolve
/// the same way whatever their arrival order, one at a time or in a bulk sync, by the lifecycle rank
/// (pending &lt; paid &lt; shipped &lt; completed &lt; cancelled &lt; refunded).
/// </summary>
public sealed class VersionTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset At = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static OrderSnapshot Order(OrderStatus status, decimal price) => new()
    {
        ShopId = "shop", OrderId = "o1", Platform = "web", Status = status, Currency = "USD", CreatedAt = At, UpdatedAt = At,
        Lines = [new OrderLine("p1", 1, price, 1m)],
    };

    public static TheoryData<string, bool> Arrivals => new() { { "forward", false }, { "backward", false }, { "forward", true }, { "backward", true } };

    [IntegrationTheory(TestServer.Postgres)]
    [MemberData(nameof(Arrivals))]
    public async Task ACancellationAtTheSameSecondAsThePayment_WinsInEitherOrder_AsAFullRefund(string arrival, bool bulk)
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        var paid = Order(OrderStatus.Paid, 10m);
        var cancelled = new OrderStatusChange("shop", "o1", OrderStatus.Cancelled, At);
        if (arrival == "forward")
        {
            await UpsertAsync(h, paid, bulk);
            await h.Ingestion.ChangeOrderStatusAsync(cancelled);
        }
        else
        {
            await h.Ingestion.ChangeOrderStatusAsync(cancelled);
            await UpsertAsync(h, paid, bulk);
        }

        // Cancelled after payment: still a sale on its day, and all of it given back as returns at the same instant.
        var d = await DashboardAsync(h);
        Assert.Equal((1, 10m, 10m, 0m), (d.Orders, d.GrossSales, d.Returns, d.NetSales));
    }

    [IntegrationTheory(TestServer.Postgres)]
    [MemberData(nameof(Arrivals))]
    public async Task OfTwoSnapshotsAtTheSameSecond_TheLaterLifecycleStageWins_InEitherOrder(string arrival, bool bulk)
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        var paid = Order(OrderStatus.Paid, 10m);
        var shipped = Order(OrderStatus.Shipped, 12m);   // the storefront corrected the price as it shipped
        foreach (var snapshot in arrival == "forward" ? new[] { paid, shipped } : [shipped, paid])
        {
            await UpsertAsync(h, snapshot, bulk);
        }

        if (bulk)
        {
            await h.Ingestion.BulkSyncAsync("shop", [], arrival == "forward" ? [paid, shipped] : [shipped, paid]);   // both in one batch
        }

        var dashboard = await DashboardAsync(h);
        Assert.Equal((1, 12m), (dashboard.Orders, dashboard.Revenue));
    }

    private static Task UpsertAsync(AnalyticsHarness h, OrderSnapshot order, bool bulk) =>
        bulk ? h.Ingestion.BulkSyncAsync("shop", [], [order]) : h.Ingestion.UpsertOrderAsync(order);

    private static Task<DashboardMetrics> DashboardAsync(AnalyticsHarness h) =>
        h.Reports.GetDashboardAsync(new ReportRange("shop", new DateOnly(2026, 5, 1), new DateOnly(2026, 6, 30)));
}
