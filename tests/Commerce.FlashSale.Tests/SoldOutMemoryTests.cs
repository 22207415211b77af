namespace Commerce.FlashSale.Tests;

/// <summary>
/// After an item sells out, the crowd keeps asking: each instance answers "sold out" from memory instead of running the
/// reserve script on Redis for every one of them, and sells again once units come back.
/// </summary>
public sealed class SoldOutMemoryTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [IntegrationFact(TestServer.OwnedRedis | TestServer.Postgres)]
    public async Task AfterSellOut_NineInTenAttemptsNeverReachRedis_AndUnitsComingBackSellAgainOnEveryInstance()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var name = TestNames.Unique();
        // A memory long enough that a stalled test machine can't outlast it during the crowd.
        await using var a = await SaleHarness.CreateAsync(redis.EndPoint, postgres.ConnectionString, name, o => { o.RateLimitPermits = 0; o.SoldOutMemoryDuration = TimeSpan.FromSeconds(10); });
        await using var b = await SaleHarness.CreateAsync(redis.EndPoint, postgres.ConnectionString, name, o => { o.RateLimitPermits = 0; o.SoldOutMemoryDuration = TimeSpan.FromSeconds(10); });
        var sale = await a.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 4, limit: 4));
        var hold = await a.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "first", Quantity = 4 });
        Assert.Equal(ReserveOutcome.Reserved, hold.Outcome);

        // Each instance learns it from Redis once.
        Assert.Equal(ReserveOutcome.SoldOut, (await a.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "learns-a" })).Outcome);
        Assert.Equal(ReserveOutcome.SoldOut, (await b.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "learns-b" })).Outcome);

        var before = await ScriptCallsAsync(redis);
        var attempts = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => (i % 2 == 0 ? a : b).Sales.ReserveAsync(
            new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = $"crowd-{i}" })));
        var scripts = await ScriptCallsAsync(redis) - before;

        Assert.All(attempts, r => Assert.Equal(ReserveOutcome.SoldOut, r.Outcome));
        Assert.True(scripts <= 20, $"{scripts} of 200 attempts after the sell-out ran the reserve script on Redis");

        // Units come back on B: both instances sell them again (A within its memory's short lifetime).
        Assert.Equal(ReservationOutcome.Released, (await b.Sales.ReleaseAsync(sale.Id, hold.Reservation!.Id, "first")).Outcome);
        Assert.Equal(ReserveOutcome.Reserved, (await b.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "on-b" })).Outcome);
        await Eventually.TrueAsync(async () =>
            (await a.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "on-a" })).Outcome == ReserveOutcome.Reserved,
            TimeSpan.FromSeconds(60), because: "units that came back are sold on every instance");
    }

    [IntegrationFact(TestServer.OwnedRedis | TestServer.Postgres)]
    public async Task ARetryWithTheSameReservationId_IsNeverAnsweredFromMemory()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var name = TestNames.Unique();
        await using var a = await SaleHarness.CreateAsync(redis.EndPoint, postgres.ConnectionString, name, o => o.RateLimitPermits = 0);
        var sale = await a.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 1, limit: 1));
        var first = await a.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "u1", ReservationId = "key-1" });
        Assert.Equal(ReserveOutcome.Reserved, first.Outcome);
        Assert.Equal(ReserveOutcome.SoldOut, (await a.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "u2" })).Outcome);

        var retry = await a.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "u1", ReservationId = "key-1" });

        Assert.Equal(ReserveOutcome.Reserved, retry.Outcome);
        Assert.True(retry.IsReplay);
    }

    private static async Task<long> ScriptCallsAsync(RedisServerProcess redis)
    {
        var info = (string)(await redis.Admin.ExecuteAsync("INFO", "commandstats"))!;
        return info.Split('\n')
            .Where(l => l.StartsWith("cmdstat_evalsha:", StringComparison.Ordinal) || l.StartsWith("cmdstat_eval:", StringComparison.Ordinal))
            .Sum(l => long.Parse(l.Split("calls=")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture));
    }
}
