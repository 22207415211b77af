using Microsoft.Extensions.Time.Testing;

namespace Commerce.Analytics.Tests;

/// <summary>
/// SmartShelf as a buyer reads it: the at-risk list and the reorder point agree, stock-outs come first, velocity is
/// over the days a product could be sold, a recreated product starts a new life, and each product says when it runs
/// out, how much of it sold through and its ABC class; inventory value is per currency.
/// </summary>
public sealed class SmartShelfTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static async Task<AnalyticsHarness> ShopAsync(string postgres)
    {
        var h = await AnalyticsHarness.CreateAsync(postgres, new FakeTimeProvider(Now));
        await h.Ingestion.SetShopAsync("shop", "UTC", "USD");
        return h;
    }

    private static Task<IngestOutcome> Product(AnalyticsHarness h, string id, int stock, DateTimeOffset? at = null, string? currency = null, decimal cost = 4) =>
        h.Ingestion.UpsertProductAsync(new ProductSnapshot
        {
            ShopId = "shop", ProductId = id, Name = id.ToUpperInvariant(), Stock = stock, Price = 10, Cost = cost, Currency = currency,
            UpdatedAt = at ?? Now.AddDays(-300),
        });

    private static Task<IngestOutcome> Sell(AnalyticsHarness h, string id, int units, int daysAgo, decimal price = 10) =>
        h.Ingestion.UpsertOrderAsync(new OrderSnapshot
        {
            ShopId = "shop", OrderId = $"{id}-{daysAgo}-{units}", Platform = "web", Status = OrderStatus.Paid, Currency = "USD",
            CreatedAt = Now.AddDays(-daysAgo), UpdatedAt = Now.AddDays(-daysAgo), Lines = [new OrderLine(id, units, price, 4)],
        });

    [IntegrationFact(TestServer.Postgres)]
    public async Task AProductBelowItsOwnReorderPoint_IsAtRisk()
    {
        await using var h = await ShopAsync(postgres.ConnectionString);
        await Product(h, "p", stock: 9);
        await Sell(h, "p", 30, 10);   // 1/day over the 30-day window: reorder point 1 x (7 lead + 3 safety) = 10 > 9

        var p = Assert.Single((await h.Reports.GetInventoryInsightsAsync("shop")).AtRisk);

        Assert.Equal(("p", 10, 9m), (p.ProductId, p.ReorderPoint, p.DaysOfCover));
        Assert.True(p.Stock <= p.ReorderPoint);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task AProductOutOfStockForTheWholeWindow_IsListedFirst_AsAStockOut()
    {
        await using var h = await ShopAsync(postgres.ConnectionString);
        await Product(h, "gone", stock: 0);
        await Sell(h, "gone", 40, 45);   // its last sales were before the window: no velocity in it
        await Product(h, "low", stock: 2);
        await Sell(h, "low", 30, 3);

        var atRisk = (await h.Reports.GetInventoryInsightsAsync("shop")).AtRisk;

        Assert.Equal(["gone", "low"], atRisk.Select(p => p.ProductId));
        Assert.Equal(new DateOnly(2026, 11, 22), atRisk[0].StockOutDate);   // out of stock today
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task Velocity_IsOverTheDaysTheProductWasInStock()
    {
        await using var h = await ShopAsync(postgres.ConnectionString);
        await Product(h, "p", stock: 0, at: Now.AddDays(-100));
        await h.Ingestion.UpdateInventoryAsync(new InventoryUpdate("shop", "p", 30, Now.AddDays(-10).Date));   // back in stock 10 days ago
        await Sell(h, "p", 20, 5);
        await h.Ingestion.UpdateInventoryAsync(new InventoryUpdate("shop", "p", 10, Now.AddDays(-5).Date.AddHours(1)));

        var p = Assert.Single((await h.Reports.GetInventoryInsightsAsync("shop")).AtRisk);

        Assert.Equal(20m / 11m, p.DailyVelocity, 3);   // 20 units over the 11 days in stock (Nov 12 to the end of today), not over 30
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task ADeletedThenRecreatedProduct_StartsANewLife()
    {
        await using var h = await ShopAsync(postgres.ConnectionString);
        await Product(h, "p", stock: 50, at: Now.AddDays(-60));
        await Sell(h, "p", 60, 20);                                        // the old product sold fast
        await h.Ingestion.DeleteProductAsync("shop", "p", Now.AddDays(-15));
        await Product(h, "p", stock: 5, at: Now.AddDays(-5));              // a new product under the same id

        var insights = await h.Reports.GetInventoryInsightsAsync("shop");

        Assert.Empty(insights.AtRisk);      // the old life's sales are not its velocity
        Assert.Empty(insights.DeadStock);   // and it is five days old, not unsold for 20 days
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task AProductFirstSyncedAfterItsSales_HasTheVelocityOfThoseSales_NotOfTheDaySinceTheSync()
    {
        // A store connects today and syncs its catalogue (each product as last edited: today) and its recent orders:
        // the products sold before the library first saw them, and that is their velocity.
        await using var h = await ShopAsync(postgres.ConnectionString);
        await Product(h, "p", stock: 9, at: Now);
        await Sell(h, "p", 30, 10);

        var p = Assert.Single((await h.Reports.GetInventoryInsightsAsync("shop")).AtRisk);

        Assert.Equal(30m / 11m, p.DailyVelocity, 3);   // over the 11 days from its first sale (Nov 12) to the end of today
        Assert.Equal(28, p.ReorderPoint);             // ceil(30 / 11 x 10)
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task AProductFirstSeenInsideTheWindow_IsInStockFromThatHour_EvenWhenItSoldLaterThatDay()
    {
        await using var h = await ShopAsync(postgres.ConnectionString);
        await Product(h, "p", stock: 5, at: Now.AddDays(-5).AddHours(-1));   // Nov 17, 11:00
        await Sell(h, "p", 30, 5);                                           // Nov 17, 12:00

        var p = Assert.Single((await h.Reports.GetInventoryInsightsAsync("shop")).AtRisk);

        Assert.Equal(30m / (5m + (13m / 24m)), p.DailyVelocity, 3);   // from 11:00 on Nov 17, not from its midnight
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task AProductFirstSyncedLongAfterItsLastSale_IsDeadStock_SinceThatSale()
    {
        await using var h = await ShopAsync(postgres.ConnectionString);
        await Product(h, "p", stock: 20, at: Now);
        await Sell(h, "p", 3, 120);

        var dead = Assert.Single((await h.Reports.GetInventoryInsightsAsync("shop")).DeadStock);

        Assert.Equal(("p", new DateOnly(2026, 7, 25), 120), (dead.ProductId, dead.LastSoldOn, dead.DaysWithoutSale));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task EachProduct_SaysWhenItRunsOut_ItsSellThrough_AndItsAbcClass_AndInventoryValueIsPerCurrency()
    {
        await using var h = await ShopAsync(postgres.ConnectionString);
        await Product(h, "a", stock: 10); await Sell(h, "a", 60, 5);       // 600 of 1,200 revenue: A
        await Product(h, "b", stock: 9); await Sell(h, "b", 30, 5, 10);    // 300: cumulative 75%: A
        await Product(h, "c", stock: 1); await Sell(h, "c", 24, 5, 10);    // 240: 95%: B
        await Product(h, "d", stock: 2); await Sell(h, "d", 6, 5, 10);     // 60: 100%: C
        await Product(h, "eur", stock: 10, currency: "EUR", cost: 3);

        var insights = await h.Reports.GetInventoryInsightsAsync("shop");
        var a = insights.AtRisk.Single(p => p.ProductId == "a");

        Assert.Equal(new DateOnly(2026, 11, 27), a.StockOutDate);   // 10 units at 2/day: 5 days from Nov 22
        Assert.Equal(Math.Round(60m / 70m, 4), a.SellThroughRate);
        Assert.Equal(
            [("a", "A"), ("b", "A"), ("c", "B"), ("d", "C")],
            insights.AtRisk.OrderBy(p => p.ProductId).Select(p => (p.ProductId, p.AbcClass)));
        Assert.Equal(new Dictionary<string, decimal> { ["USD"] = (10 + 9 + 1 + 2) * 4m, ["EUR"] = 30m }, insights.InventoryValueByCurrency);
        Assert.Equal(88m, insights.InventoryValue);   // in the shop's currency
    }
}
