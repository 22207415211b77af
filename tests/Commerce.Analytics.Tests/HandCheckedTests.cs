using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Commerce.Analytics.Tests;

/// <summary>Cases small enough to check by hand: time zones, empty buckets, money, ordering rules, inventory insights.</summary>
public sealed class HandCheckedTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static OrderSnapshot Order(string id, DateTimeOffset created, params OrderLine[] lines) => new()
    {
        ShopId = "shop",
        OrderId = id,
        Platform = "web",
        Status = OrderStatus.Paid,
        Currency = "USD",
        CreatedAt = created,
        UpdatedAt = created,
        Lines = lines,
    };

    private static OrderLine Line(decimal price, int quantity = 1, string product = "p1", decimal? cost = null) =>
        new(product, quantity, price, cost ?? Math.Round(price / 2, 2));

    [IntegrationFact(TestServer.Postgres)]
    public async Task Days_AreLocalToTheShop_AcrossBothDaylightSavingChanges()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        await h.Ingestion.SetShopAsync("shop", "America/New_York", "USD");
        // DST starts 2026-03-08 02:00 EST (07:00Z) and ends 2026-11-01 02:00 EDT (06:00Z).
        var orders = new (string Id, string Utc)[]
        {
            ("a", "2026-03-08T04:30:00Z"), // 23:30 EST on 03-07
            ("b", "2026-03-08T07:30:00Z"), // 03:30 EDT on 03-08
            ("c", "2026-03-09T03:59:00Z"), // 23:59 EDT on 03-08
            ("d", "2026-03-09T04:00:00Z"), // 00:00 EDT on 03-09 (a fixed UTC-5 would say 03-08)
            ("e", "2026-11-01T05:30:00Z"), // 01:30 EDT on 11-01
            ("f", "2026-11-02T04:30:00Z"), // 23:30 EST on 11-01 (a fixed UTC-4 would say 11-02)
            ("g", "2026-11-02T05:00:00Z"), // 00:00 EST on 11-02
        };
        foreach (var (id, utc) in orders)
        {
            await h.Ingestion.UpsertOrderAsync(Order(id, DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), Line(10m)));
        }

        var march = await h.Reports.GetSalesAsync(new ReportRange("shop", new DateOnly(2026, 3, 7), new DateOnly(2026, 3, 9)), SalesInterval.Day);
        var november = await h.Reports.GetSalesAsync(new ReportRange("shop", new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 2)), SalesInterval.Day);

        Assert.Equal([1, 2, 1], march.Points.Select(p => p.Orders));
        Assert.Equal([2, 1], november.Points.Select(p => p.Orders));
    }

    /// <summary>Regression: timestamps with a UTC offset made Npgsql throw (it writes only offset 0 to timestamptz).</summary>
    [IntegrationFact(TestServer.Postgres)]
    public async Task TimestampsWithAnOffset_AreAccepted_PerEventAndInBulk()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        await h.Ingestion.SetShopAsync("shop", "Asia/Bangkok");
        var bangkok = TimeSpan.FromHours(7);
        var order = Order("o1", new DateTimeOffset(2026, 6, 2, 0, 30, 0, bangkok), Line(10m)); // 17:30 UTC on June 1st
        await h.Ingestion.UpsertOrderAsync(order);
        await h.Ingestion.ChangeOrderStatusAsync(new OrderStatusChange("shop", "o1", OrderStatus.Shipped, new DateTimeOffset(2026, 6, 2, 9, 0, 0, bangkok)));
        await h.Ingestion.UpsertProductAsync(new ProductSnapshot { ShopId = "shop", ProductId = "p1", Name = "P", UpdatedAt = new DateTimeOffset(2026, 6, 1, 9, 0, 0, bangkok), ExpiresAt = new DateTimeOffset(2026, 7, 1, 0, 0, 0, bangkok) });
        await h.Ingestion.UpdateInventoryAsync(new InventoryUpdate("shop", "p1", 5, new DateTimeOffset(2026, 6, 1, 10, 0, 0, bangkok)));
        await h.Ingestion.BulkSyncAsync("shop", [], [Order("o2", new DateTimeOffset(2026, 6, 2, 23, 0, 0, bangkok), Line(5m))]);

        var days = await h.Reports.GetSalesAsync(new ReportRange("shop", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 2)), SalesInterval.Day);
        Assert.Equal([0m, 15m], days.Points.Select(p => p.Revenue)); // both are June 2nd in Bangkok
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task EmptyBuckets_ArePresent_ForDaysWeeksAndMonths()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        await h.Ingestion.UpsertOrderAsync(Order("a", new DateTimeOffset(2026, 5, 4, 12, 0, 0, TimeSpan.Zero), Line(10m)));   // Monday
        await h.Ingestion.UpsertOrderAsync(Order("b", new DateTimeOffset(2026, 5, 8, 12, 0, 0, TimeSpan.Zero), Line(5m, 2))); // Friday
        await h.Ingestion.UpsertOrderAsync(Order("c", new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero), Line(1m)));

        var days = await h.Reports.GetSalesAsync(new ReportRange("shop", new DateOnly(2026, 5, 4), new DateOnly(2026, 5, 8)), SalesInterval.Day);
        var weeks = await h.Reports.GetSalesAsync(new ReportRange("shop", new DateOnly(2026, 5, 1), new DateOnly(2026, 5, 31)), SalesInterval.Week);
        var months = await h.Reports.GetSalesAsync(new ReportRange("shop", new DateOnly(2026, 4, 15), new DateOnly(2026, 7, 15)), SalesInterval.Month);

        Assert.Equal([10m, 0m, 0m, 0m, 10m], days.Points.Select(p => p.Revenue));
        Assert.Equal(new DateOnly(2026, 4, 27), weeks.Points[0].Period); // the ISO week of May 1st starts Monday April 27
        Assert.Equal([0m, 20m, 0m, 0m, 0m], weeks.Points.Select(p => p.Revenue));
        Assert.Equal([new DateOnly(2026, 4, 1), new DateOnly(2026, 5, 1), new DateOnly(2026, 6, 1), new DateOnly(2026, 7, 1)], months.Points.Select(p => p.Period));
        Assert.Equal([0m, 20m, 0m, 1m], months.Points.Select(p => p.Revenue));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task Money_AddsUpToTheCent()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        var day = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 1000; i++)
        {
            await h.Ingestion.UpsertOrderAsync(Order($"cent-{i}", day, new OrderLine("p1", 1, 0.01m, 0.003m)));
        }

        await h.Ingestion.UpsertOrderAsync(Order("thirds", day, new OrderLine("p2", 3, 0.1m, 0.07m), new OrderLine("p3", 1, 0.2m, 0.01m)));

        var profit = await h.Reports.GetProfitAsync(new ReportRange("shop", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 1)));
        Assert.Equal(10.50m, profit.Revenue);    // 1000 × 0.01 + 3 × 0.1 + 0.2, exactly
        Assert.Equal(3.22m, profit.Cost);        // 1000 × 0.003 + 3 × 0.07 + 0.01
        Assert.Equal(7.28m, profit.GrossProfit);
        Assert.Equal(0.693333m, profit.Margin);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task StatusChangeBeforeItsOrder_IsKept_AndAppliedWhenTheOrderArrives()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        var at = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(IngestOutcome.Deferred, await h.Ingestion.ChangeOrderStatusAsync(new OrderStatusChange("shop", "o1", OrderStatus.Refunded, at.AddHours(2))));
        // Older than the kept refund, so its status is not applied; it is kept as evidence (the refund came after a shipment).
        Assert.Equal(IngestOutcome.Deferred, await h.Ingestion.ChangeOrderStatusAsync(new OrderStatusChange("shop", "o1", OrderStatus.Shipped, at.AddHours(1))));
        Assert.Equal(IngestOutcome.Ignored, await h.Ingestion.ChangeOrderStatusAsync(new OrderStatusChange("shop", "o1", OrderStatus.Shipped, at.AddHours(1))));
        Assert.Equal(IngestOutcome.Applied, await h.Ingestion.UpsertOrderAsync(Order("o1", at, Line(10m))));

        var range = new ReportRange("shop", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 1));
        var d = await h.Reports.GetDashboardAsync(range);
        Assert.Equal((1, 10m, 10m, 0m), (d.Orders, d.GrossSales, d.Returns, d.NetSales)); // refunded the same day: a sale, all of it returned
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task OlderVersions_NeverOverwriteNewer_AndDuplicatesChangeNothing()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        var at = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var range = new ReportRange("shop", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 30));
        var v2 = Order("o1", at, Line(30m)) with { UpdatedAt = at.AddHours(2) };

        Assert.Equal(IngestOutcome.Applied, await h.Ingestion.UpsertOrderAsync(v2));
        Assert.Equal(IngestOutcome.Ignored, await h.Ingestion.UpsertOrderAsync(v2));
        Assert.Equal(IngestOutcome.Ignored, await h.Ingestion.UpsertOrderAsync(Order("o1", at, Line(10m))));
        Assert.Equal(30m, (await h.Reports.GetDashboardAsync(range)).Revenue);

        // a status change at 03:00, then a full update from 02:30 that arrives late: its lines count, its status doesn't
        Assert.Equal(IngestOutcome.Applied, await h.Ingestion.ChangeOrderStatusAsync(new OrderStatusChange("shop", "o1", OrderStatus.Cancelled, at.AddHours(3))));
        Assert.Equal(0m, (await h.Reports.GetDashboardAsync(range)).Revenue);
        Assert.Equal(IngestOutcome.Applied, await h.Ingestion.UpsertOrderAsync(Order("o1", at, Line(40m)) with { UpdatedAt = at.AddHours(2.5) }));
        Assert.Equal(0m, (await h.Reports.GetDashboardAsync(range)).Revenue);
        Assert.Equal(IngestOutcome.Applied, await h.Ingestion.ChangeOrderStatusAsync(new OrderStatusChange("shop", "o1", OrderStatus.Paid, at.AddHours(4))));
        Assert.Equal(40m, (await h.Reports.GetDashboardAsync(range)).Revenue);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task RefundAndRepayment_SubtractAndAddBack_AnOrderMovedToAnotherDayMovesItsSales()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        var at = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var june = new ReportRange("shop", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 3));
        await h.Ingestion.UpsertOrderAsync(Order("o1", at, Line(25m, 2)));

        await h.Ingestion.ChangeOrderStatusAsync(new OrderStatusChange("shop", "o1", OrderStatus.Refunded, at.AddHours(1)));
        Assert.Equal([0m, 0m, 0m], (await h.Reports.GetSalesAsync(june, SalesInterval.Day)).Points.Select(p => p.Revenue));
        await h.Ingestion.ChangeOrderStatusAsync(new OrderStatusChange("shop", "o1", OrderStatus.Completed, at.AddHours(2)));
        Assert.Equal([50m, 0m, 0m], (await h.Reports.GetSalesAsync(june, SalesInterval.Day)).Points.Select(p => p.Revenue));

        await h.Ingestion.UpsertOrderAsync(Order("o1", at.AddDays(2), Line(25m, 2)) with { Status = OrderStatus.Completed, UpdatedAt = at.AddHours(3) });
        Assert.Equal([0m, 0m, 50m], (await h.Reports.GetSalesAsync(june, SalesInterval.Day)).Points.Select(p => p.Revenue));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task Products_FollowTheirOwnVersions_ForFieldsAndForStock_AndDeletesAreTombstones()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 6, 10, 12, 0, 0, TimeSpan.Zero));
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString, time, o => o.ExpiryWarningDays = 3650);
        var at = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        ProductSnapshot Product(int stock, DateTimeOffset version) => new()
        {
            ShopId = "shop", ProductId = "p1", Name = $"v{version:HH}", Stock = stock, Price = 10, Cost = 4, ExpiresAt = at.AddYears(1), UpdatedAt = version,
        };

        Assert.Equal(IngestOutcome.Applied, await h.Ingestion.UpsertProductAsync(Product(10, at)));
        Assert.Equal(IngestOutcome.Applied, await h.Ingestion.UpdateInventoryAsync(new InventoryUpdate("shop", "p1", 3, at.AddHours(5))));
        Assert.Equal(IngestOutcome.Applied, await h.Ingestion.UpsertProductAsync(Product(99, at.AddHours(4)))); // name changes, stock does not
        Assert.Equal(IngestOutcome.Ignored, await h.Ingestion.UpdateInventoryAsync(new InventoryUpdate("shop", "p1", 50, at.AddHours(1))));

        var insights = await h.Reports.GetInventoryInsightsAsync("shop");
        var expiring = Assert.Single(insights.Expiring);
        Assert.Equal(("v16", 3), (expiring.Name, expiring.Stock));

        Assert.Equal(IngestOutcome.Applied, await h.Ingestion.DeleteProductAsync("shop", "p1", at.AddHours(6)));
        Assert.Equal(IngestOutcome.Ignored, await h.Ingestion.UpsertProductAsync(Product(7, at.AddHours(5)))); // older than the delete
        Assert.Empty((await h.Reports.GetInventoryInsightsAsync("shop")).Expiring);
        Assert.Equal(IngestOutcome.Applied, await h.Ingestion.UpsertProductAsync(Product(7, at.AddHours(7)))); // re-created
        Assert.Single((await h.Reports.GetInventoryInsightsAsync("shop")).Expiring);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task InventoryInsights_OnAHandCheckedShop()
    {
        // Today is 2026-11-22 (UTC shop). Velocity window 30 days, default lead time 7, safety stock 3 days,
        // dead stock after 90 days without a sale, expiry warning 30 days.
        var now = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(now);
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString, time);
        var firstSeen = now.AddDays(-300);
        async Task Product(string id, int stock, int? lead = null, DateTimeOffset? seen = null, DateTimeOffset? expires = null) =>
            await h.Ingestion.UpsertProductAsync(new ProductSnapshot
            {
                ShopId = "shop", ProductId = id, Name = id.ToUpperInvariant(), Stock = stock, Price = 10, Cost = 4,
                LeadTimeDays = lead, ExpiresAt = expires, UpdatedAt = seen ?? firstSeen,
            });
        async Task Sell(string id, int units, int daysAgo) =>
            await h.Ingestion.UpsertOrderAsync(Order($"{id}-{daysAgo}-{units}", now.AddDays(-daysAgo), new OrderLine(id, units, 10, 4)));

        await Product("a", stock: 10);      await Sell("a", 60, 5);   // 2/day: 5 days of cover < 7 → at risk, reorder at 2 × 10 = 20
        await Product("b", stock: 100);     await Sell("b", 30, 10);  // 1/day: 100 days → fine
        await Product("c", stock: 5, lead: 3); await Sell("c", 30, 1); // 1/day: 5 ≤ its reorder point 1 × (3 + 3) = 6 → at risk
        await Product("d", stock: 0);       await Sell("d", 15, 20);  // reported out of stock all along, yet sold 15 on one day: 15/day in stock, a stock-out
        await Sell("a", 100, 40);                                     // outside the 30-day window: not in a's velocity
        await Product("e", stock: 20);      await Sell("e", 1, 100);  // last sale 100 days ago → dead
        await Product("f", stock: 20);                                // never sold, seen 300 days ago → dead
        await Product("g", stock: 20, seen: now.AddDays(-10));        // never sold but new → not dead
        await Product("h", stock: 0);       await Sell("h", 1, 200);  // no stock → not dead; out of stock all window → a stock-out
        await Product("i", stock: 4, seen: now.AddDays(-10), expires: now.AddDays(10)); // expiring (new, so not dead stock)
        await Product("j", stock: 4, seen: now.AddDays(-10), expires: now.AddDays(40)); // not yet
        await Product("k", stock: 0, seen: now.AddDays(-10), expires: now.AddDays(5));  // nothing left to expire; a stock-out

        var insights = await h.Reports.GetInventoryInsightsAsync("shop");

        Assert.Equal(new DateOnly(2026, 11, 22), insights.AsOf);
        Assert.Equal(
            [("d", 0, 15m, 0m, 7, 150), ("h", 0, 0m, 0m, 7, 0), ("k", 0, 0m, 0m, 7, 0), ("a", 10, 2m, 5m, 7, 20), ("c", 5, 1m, 5m, 3, 6)],
            insights.AtRisk.Select(p => (p.ProductId, p.Stock, p.DailyVelocity, p.DaysOfCover, p.LeadTimeDays, p.ReorderPoint)));   // stock-outs first
        Assert.Equal(
            [("e", new DateOnly(2026, 8, 14), 100), ("f", (DateOnly?)null, 300)],
            insights.DeadStock.OrderBy(d => d.ProductId).Select(d => (d.ProductId, d.LastSoldOn, d.DaysWithoutSale)));
        Assert.All(insights.DeadStock, d => Assert.Equal(80m, d.StockValue));
        var expiring = Assert.Single(insights.Expiring);
        Assert.Equal(("i", 10), (expiring.ProductId, expiring.DaysToExpiry));
        Assert.Equal(11, insights.Products);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task Dashboard_ComparesWithThePreviousPeriodOfTheSameLength()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        await h.Ingestion.UpsertOrderAsync(Order("before", new DateTimeOffset(2026, 6, 5, 12, 0, 0, TimeSpan.Zero), Line(40m), Line(10m, product: "p2")));
        await h.Ingestion.UpsertOrderAsync(Order("now-1", new DateTimeOffset(2026, 6, 12, 12, 0, 0, TimeSpan.Zero), Line(30m)));
        await h.Ingestion.UpsertOrderAsync(Order("now-2", new DateTimeOffset(2026, 6, 14, 12, 0, 0, TimeSpan.Zero), Line(45m), Line(20m, 2, "p2")));

        var metrics = await h.Reports.GetDashboardAsync(new ReportRange("shop", new DateOnly(2026, 6, 8), new DateOnly(2026, 6, 14)));

        Assert.Equal((115m, 2, 57.5m, 4), (metrics.Revenue, metrics.Orders, metrics.AverageOrderValue, metrics.Units));
        Assert.Equal((50m, 1), (metrics.PreviousRevenue, metrics.PreviousOrders));
        Assert.Equal((1.3m, 1m, 0.15m, 1m), (metrics.RevenueChange, metrics.OrdersChange, metrics.AverageOrderValueChange, metrics.UnitsChange));
        Assert.Equal([("p1", 75m, 2), ("p2", 40m, 2)], metrics.TopProducts.Select(p => (p.ProductId, p.Revenue, p.Units)));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task TimeZoneChange_RecomputesTheShopsDays()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        await h.Ingestion.UpsertOrderAsync(Order("late", new DateTimeOffset(2026, 6, 1, 20, 0, 0, TimeSpan.Zero), Line(10m)));
        var range = new ReportRange("shop", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 2));
        Assert.Equal([1, 0], (await h.Reports.GetSalesAsync(range, SalesInterval.Day)).Points.Select(p => p.Orders));

        await h.Ingestion.SetShopAsync("shop", "Asia/Bangkok"); // UTC+7: 03:00 on June 2nd

        Assert.Equal([0, 1], (await h.Reports.GetSalesAsync(range, SalesInterval.Day)).Points.Select(p => p.Orders));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task BulkSync_IsIdempotent_AndKeepsNewerStoredVersions()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        var at = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        await h.Ingestion.UpsertOrderAsync(Order("o1", at, Line(99m)) with { UpdatedAt = at.AddDays(1) }); // newer than the sync's copy
        var history = Enumerable.Range(0, 200).Select(i => Order($"h{i}", at.AddHours(i), Line(1m + i))).Append(Order("o1", at, Line(1m))).ToList();

        var first = await h.Ingestion.BulkSyncAsync("shop", [], history);
        var second = await h.Ingestion.BulkSyncAsync("shop", [], history);

        Assert.Equal((200, 200), (first.Orders, first.Lines));
        Assert.Equal((0, 0), (second.Orders, second.Lines));
        var total = (await h.Reports.GetDashboardAsync(new ReportRange("shop", new DateOnly(2026, 5, 1), new DateOnly(2026, 7, 31)))).Revenue;
        Assert.Equal(Enumerable.Range(0, 200).Sum(i => 1m + i) + 99m, total);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task BadInput_IsRejectedWithEveryProblemByField_AndWritesNothing()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        var bad = Order("", DateTimeOffset.UtcNow, new OrderLine("", 0, -1m, 1m)) with { Currency = "usd", Platform = "" };

        var error = await Assert.ThrowsAsync<AnalyticsValidationException>(() => h.Ingestion.UpsertOrderAsync(bad));
        Assert.Equal(
            ["currency", "lines[0].productId", "lines[0].quantity", "lines[0].unitPrice", "orderId", "platform"],
            error.Errors.Keys.Order(StringComparer.Ordinal));
        await Assert.ThrowsAsync<AnalyticsValidationException>(() => h.Ingestion.SetShopAsync("shop", "Mars/Olympus"));
        await Assert.ThrowsAsync<AnalyticsValidationException>(() => h.Ingestion.BulkSyncAsync("shop", [], [Order("x", DateTimeOffset.UtcNow) with { ShopId = "other" }]));
        await Assert.ThrowsAsync<AnalyticsValidationException>(() => h.Reports.GetSalesAsync(new ReportRange("shop", new DateOnly(2026, 2, 1), new DateOnly(2026, 1, 1)), SalesInterval.Day));
    }

    [Fact]
    public async Task Options_Invalid_FailHostStartNamingTheSetting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddCommerceAnalytics(o =>
        {
            o.DefaultTimeZone = "Nowhere/Special";
            o.DefaultCurrency = "dollars";
            o.VelocityWindowDays = 0;
        });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        foreach (var setting in new[] { "DefaultTimeZone", "DefaultCurrency", "VelocityWindowDays", "PostgresConnectionString" })
        {
            Assert.Contains(setting, error.Message, StringComparison.Ordinal);
        }
    }
}
