namespace Commerce.Analytics.Tests;

/// <summary>
/// Refunds are events on their own day: a full refund (status refunded, or cancelled after payment) and a partial one
/// (<see cref="IAnalyticsIngestion.RecordRefundAsync"/>) are booked as returns on the day they happened and never change
/// a past period. Checked by hand on one order: gross 100 (p1 2 x 30, cost 12; p2 1 x 40, cost 16), discount 10,
/// shipping 5, tax 6.30, fee 4.50.
/// </summary>
public sealed class RefundTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset Sold = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ReportRange June1 = new("shop", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 1));

    private static OrderSnapshot Order(OrderStatus status = OrderStatus.Paid, DateTimeOffset? at = null) => new()
    {
        ShopId = "shop", OrderId = "o1", Platform = "shopee", Status = status, Currency = "USD", CreatedAt = Sold, UpdatedAt = at ?? Sold,
        Lines = [new OrderLine("p1", 2, 30m, 12m), new OrderLine("p2", 1, 40m, 16m)],
        Discount = 10m, Shipping = 5m, Tax = 6.30m, PlatformFee = 4.50m,
    };

    private static ReportRange Day(int day) => new("shop", new DateOnly(2026, 6, day), new DateOnly(2026, 6, day));

    private static OrderRefund Partial(string id = "r1", int day = 3) => new()
    {
        ShopId = "shop", OrderId = "o1", RefundId = id, RefundedAt = new DateTimeOffset(2026, 6, day, 9, 0, 0, TimeSpan.Zero),
        Lines = [new RefundLine("p1", 1, 27m)], Shipping = 5m,
    };

    private static async Task<(decimal Gross, decimal Returns, decimal Net, decimal Shipping, decimal Taxes, decimal Cogs, decimal Fees, decimal Profit, int Orders)> FiguresAsync(AnalyticsHarness h, ReportRange range)
    {
        var d = await h.Reports.GetDashboardAsync(range);
        return (d.GrossSales, d.Returns, d.NetSales, d.Shipping, d.Taxes, d.Cogs, d.PlatformFees, d.GrossProfit, d.Orders);
    }

    [IntegrationTheory(TestServer.Postgres)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFullRefund_IsBookedAsReturnsOnItsDay_AndTheSaleDayNeverChanges(bool bulk)
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        var refunded = new DateTimeOffset(2026, 6, 10, 8, 0, 0, TimeSpan.Zero);
        if (bulk)
        {
            await h.Ingestion.BulkSyncAsync("shop", [], [Order(), Order(OrderStatus.Refunded, refunded)]);
        }
        else
        {
            await h.Ingestion.UpsertOrderAsync(Order());
            await h.Ingestion.ChangeOrderStatusAsync(new OrderStatusChange("shop", "o1", OrderStatus.Refunded, refunded));
        }

        Assert.Equal((100m, 0m, 90m, 5m, 6.30m, 40m, 4.50m, 45.50m, 1), await FiguresAsync(h, June1));
        // The refund day: the net sales given back, the cost of the units back, shipping and taxes refunded; no order.
        Assert.Equal((0m, 90m, -90m, -5m, -6.30m, -40m, 0m, -50m, 0), await FiguresAsync(h, Day(10)));
        var month = (await h.Reports.GetSalesAsync(new ReportRange("shop", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 30)), SalesInterval.Month)).Points.Single();
        Assert.Equal((0m, 90m, -4.50m, 1), (month.Revenue, month.Returns, month.GrossProfit, month.Orders));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task APartialRefund_IsReturnsOnItsDay_CountedOnceByRefundId_AndAFullRefundGivesBackTheRest()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        await h.Ingestion.UpsertOrderAsync(Order());

        Assert.Equal(IngestOutcome.Applied, await h.Ingestion.RecordRefundAsync(Partial()));
        Assert.Equal(IngestOutcome.Ignored, await h.Ingestion.RecordRefundAsync(Partial()));   // the storefront sent it twice
        Assert.Equal((0m, 27m, -27m, -5m, 0m, -12m, 0m, -15m, 0), await FiguresAsync(h, Day(3)));
        Assert.Equal((100m, 0m, 90m, 5m, 6.30m, 40m, 4.50m, 45.50m, 1), await FiguresAsync(h, June1));

        // Cancelled after payment: a full refund of what the partial refund left (63 of net sales, 1 x p1 and p2 at cost).
        await h.Ingestion.ChangeOrderStatusAsync(new OrderStatusChange("shop", "o1", OrderStatus.Cancelled, new DateTimeOffset(2026, 6, 5, 8, 0, 0, TimeSpan.Zero)));
        Assert.Equal((0m, 63m, -63m, 0m, -6.30m, -28m, 0m, -35m, 0), await FiguresAsync(h, Day(5)));

        var products = (await h.Reports.GetProfitAsync(new ReportRange("shop", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 30)))).Products.ToDictionary(p => p.ProductId);
        Assert.Equal((60m, 57m, 3m, 0m, 2), (products["p1"].Revenue + products["p1"].Returns, products["p1"].Returns, products["p1"].Revenue, products["p1"].Cost, products["p1"].Units));
        Assert.Equal((40m, 0m, 0m), (products["p2"].Returns, products["p2"].Revenue, products["p2"].Cost));
    }

    [IntegrationTheory(TestServer.Postgres)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnOrderCancelledAfterPayment_IsARefund_WhateverTheArrivalOrder(bool cancelledFirst)
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        var cancelled = new OrderStatusChange("shop", "o1", OrderStatus.Cancelled, new DateTimeOffset(2026, 6, 2, 8, 0, 0, TimeSpan.Zero));
        var pending = Order(OrderStatus.Pending, Sold.AddMinutes(-5));
        var paid = new OrderStatusChange("shop", "o1", OrderStatus.Paid, Sold);
        object[] events = cancelledFirst ? [cancelled, pending, paid] : [pending, paid, cancelled];
        foreach (var e in events)
        {
            await RandomizedEventTests.ApplyAsync(h.Ingestion, e);
        }

        Assert.Equal((100m, 0m, 90m, 1), (await FiguresAsync(h, June1)) is var f ? (f.Gross, f.Returns, f.Net, f.Orders) : default);
        Assert.Equal((90m, -90m), (await FiguresAsync(h, Day(2))) is var g ? (g.Returns, g.Net) : default);
    }

    [IntegrationTheory(TestServer.Postgres)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ARefundAfterTheOrderWasPaidAgain_IsBookedOnItsOwnDay_NotOnAnEarlierCancellations(bool reversed)
    {
        // Cancelled unpaid on the 2nd, paid on the 3rd, refunded on the 20th: the refund is the 20th's, whatever the arrival order.
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        object[] events =
        [
            Order(OrderStatus.Pending),
            new OrderStatusChange("shop", "o1", OrderStatus.Cancelled, new DateTimeOffset(2026, 6, 2, 8, 0, 0, TimeSpan.Zero)),
            new OrderStatusChange("shop", "o1", OrderStatus.Paid, new DateTimeOffset(2026, 6, 3, 8, 0, 0, TimeSpan.Zero)),
            new OrderStatusChange("shop", "o1", OrderStatus.Refunded, new DateTimeOffset(2026, 6, 20, 8, 0, 0, TimeSpan.Zero)),
        ];
        foreach (var e in reversed ? events.Reverse() : events)
        {
            await RandomizedEventTests.ApplyAsync(h.Ingestion, e);
        }

        Assert.Equal(0m, (await FiguresAsync(h, Day(2))).Returns);
        Assert.Equal((90m, -90m), (await FiguresAsync(h, Day(20))) is var f ? (f.Returns, f.Net) : default);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task AnOrderCancelledBeforePayment_NeverCounts()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        await h.Ingestion.UpsertOrderAsync(Order(OrderStatus.Pending));
        await h.Ingestion.ChangeOrderStatusAsync(new OrderStatusChange("shop", "o1", OrderStatus.Cancelled, new DateTimeOffset(2026, 6, 2, 8, 0, 0, TimeSpan.Zero)));

        Assert.Equal(default, await FiguresAsync(h, new ReportRange("shop", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 30))));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task ARefundBeforeItsOrder_IsKept_AndProvesThePayment()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        Assert.Equal(IngestOutcome.Deferred, await h.Ingestion.RecordRefundAsync(Partial()));
        await h.Ingestion.UpsertOrderAsync(Order(OrderStatus.Pending));   // the paid event is still on its way

        Assert.Equal((100m, 0m, 90m, 1), (await FiguresAsync(h, June1)) is var f ? (f.Gross, f.Returns, f.Net, f.Orders) : default);
        Assert.Equal((27m, -12m), (await FiguresAsync(h, Day(3))) is var g ? (g.Returns, g.Cogs) : default);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task ARefundThatReturnsNothing_IsRefused()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        var refused = await Assert.ThrowsAsync<AnalyticsValidationException>(() => h.Ingestion.RecordRefundAsync(Partial() with { Lines = [], Shipping = 0m }));
        Assert.Contains("lines", refused.Errors.Keys);
        refused = await Assert.ThrowsAsync<AnalyticsValidationException>(() => h.Ingestion.RecordRefundAsync(Partial() with { Lines = [new RefundLine("p1", 0, -1m)] }));
        Assert.Contains("lines[0].quantity", refused.Errors.Keys);
        Assert.Contains("lines[0].amount", refused.Errors.Keys);
    }
}
