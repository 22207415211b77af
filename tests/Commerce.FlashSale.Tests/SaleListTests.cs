using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Commerce.FlashSale.Tests;

/// <summary>A shop's sales that have not ended, as a seller's dashboard lists them: live stock, soonest first.</summary>
public sealed class SaleListTests(RedisFixture redis, PostgresFixture postgres) : IClassFixture<RedisFixture>, IClassFixture<PostgresFixture>
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero));

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task ListSales_GivesTheShopsRunningAndUpcomingSales_SoonestFirst_WithLiveStock()
    {
        await using var h = await SaleHarness.CreateAsync(redis.ConnectionString, postgres.ConnectionString, TestNames.Unique(), o =>
        {
            o.Clock = FlashSaleClock.TimeProvider;
            o.RateLimitPermits = 0;
        }, s => s.AddSingleton<TimeProvider>(_time));
        var now = _time.GetUtcNow();
        var running = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 5, now: now));
        var later = await h.Sales.CreateSaleAsync(SaleHarness.Definition(startsIn: TimeSpan.FromHours(3), now: now));
        var soon = await h.Sales.CreateSaleAsync(SaleHarness.Definition(startsIn: TimeSpan.FromHours(1), now: now));
        var ended = await h.Sales.CreateSaleAsync(SaleHarness.Definition(startsIn: TimeSpan.FromHours(-3), lasts: TimeSpan.FromHours(1), now: now));
        var cancelled = await h.Sales.CreateSaleAsync(SaleHarness.Definition(startsIn: TimeSpan.FromHours(2), now: now));
        await h.Sales.CancelSaleAsync(cancelled.Id);
        await h.Sales.CreateSaleAsync(SaleHarness.Definition(now: now) with { ShopId = "another-shop" });
        await h.Sales.ReserveAsync(new ReserveRequest { SaleId = running.Id, ProductId = "p1", UserId = "alice", Quantity = 2 });

        var listed = await h.Sales.ListSalesAsync("shop-1");

        Assert.Equal([running.Id, soon.Id, later.Id], listed.Select(s => s.Id));
        Assert.Equal(3, Assert.Single(listed[0].Items).Available);
        Assert.DoesNotContain(listed, s => s.Id == ended.Id);
        Assert.Empty(await h.Sales.ListSalesAsync("a-shop-without-sales"));
    }
}
