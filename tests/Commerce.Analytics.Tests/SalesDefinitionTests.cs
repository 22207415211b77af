namespace Commerce.Analytics.Tests;

/// <summary>The figures a seller reads, by Shopify's and WooCommerce's definitions, checked by hand on one order.</summary>
public sealed class SalesDefinitionTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [IntegrationTheory(TestServer.Postgres)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DiscountsShippingTaxesAndPlatformFees_AreBookedAsSellersDefineThem(bool bulk)
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        var at = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var order = new OrderSnapshot
        {
            ShopId = "shop", OrderId = "o1", Platform = "shopee", Status = OrderStatus.Paid, Currency = "USD", CreatedAt = at, UpdatedAt = at,
            Lines = [new OrderLine("p1", 2, 30m, 12m), new OrderLine("p2", 1, 40m, 16m)],   // gross 100, cost 40
            Discount = 10m, Shipping = 5m, Tax = 6.30m, PlatformFee = 4.50m,
        };
        if (bulk)
        {
            await h.Ingestion.BulkSyncAsync("shop", [], [order]);
        }
        else
        {
            await h.Ingestion.UpsertOrderAsync(order);
        }

        var range = new ReportRange("shop", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 30));
        var d = await h.Reports.GetDashboardAsync(range);
        Assert.Equal(
            (100m, 10m, 90m, 5m, 6.30m, 101.30m, 40m, 4.50m, 45.50m, 90m),   // gross, discounts, net, shipping, taxes, total, cogs, fees, profit, AOV
            (d.GrossSales, d.Discounts, d.NetSales, d.Shipping, d.Taxes, d.TotalSales, d.Cogs, d.PlatformFees, d.GrossProfit, d.AverageOrderValue));
        Assert.Equal(d.NetSales, d.Revenue);   // totalRevenue, for existing clients
        var platform = Assert.Single((await h.Reports.GetPlatformsAsync(range)).Platforms);
        Assert.Equal((90m, 4.50m, 45.50m), (platform.Revenue, platform.PlatformFees, platform.GrossProfit));
        var day = (await h.Reports.GetSalesAsync(range, SalesInterval.Month)).Points.Single();
        Assert.Equal((90m, 45.50m), (day.Revenue, day.GrossProfit));

        // A discount larger than the goods is refused, not stored.
        var refused = await Assert.ThrowsAsync<AnalyticsValidationException>(() => h.Ingestion.UpsertOrderAsync(order with { OrderId = "o2", Discount = 101m }));
        Assert.Contains("discount", refused.Errors.Keys);
    }
}
