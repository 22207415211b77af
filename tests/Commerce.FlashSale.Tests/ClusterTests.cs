using StackExchange.Redis;

namespace Commerce.FlashSale.Tests;

/// <summary>Flash sales on a real 3-primary Redis Cluster: every script touches one hash slot.</summary>
public sealed class ClusterTests(RedisClusterFixture cluster, PostgresFixture postgres) : IClassFixture<RedisClusterFixture>, IClassFixture<PostgresFixture>
{
    [IntegrationFact(TestServer.RedisCluster | TestServer.Postgres)]
    public async Task SalesOnSeveralNodes_NeverOversell_AndEveryKeyOfASaleSharesOneSlot()
    {
        var name = TestNames.Unique();
        await using var a = await SaleHarness.CreateAsync(cluster.ConnectionString, postgres.ConnectionString, name, o => o.RateLimitPermits = 0);
        await using var b = await SaleHarness.CreateAsync(cluster.ConnectionString, postgres.ConnectionString, name, o => o.RateLimitPermits = 0);
        var sales = new List<FlashSaleSnapshot>();
        for (var i = 0; i < 6; i++)
        {
            sales.Add(await a.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 20, limit: 2)));
        }

        var layout = cluster.Connection.GetServers().First().ClusterConfiguration!;
        var nodes = sales.Select(s => layout.GetBySlot(cluster.Connection.HashSlot($"test:fs:{name}:{{{s.Id:N}}}:sale"))!.NodeId).Distinct().Count();
        Assert.True(nodes > 1, "the sales should land on several primaries");
        foreach (var sale in sales)
        {
            var slots = new[] { "sale", "items", "holds", "res", "exp", "journal", "rate", "drain" }
                .Select(k => cluster.Connection.HashSlot($"test:fs:{name}:{{{sale.Id:N}}}:{k}")).Distinct();
            Assert.Single(slots);
        }

        var results = await Task.WhenAll(sales.SelectMany(s => Enumerable.Range(0, 40).Select(i => Task.Run(() =>
            (i % 2 == 0 ? a : b).Sales.ReserveAsync(new ReserveRequest { SaleId = s.Id, ProductId = "p1", UserId = $"u{i % 15}" })))));
        Assert.Equal(6 * 20, results.Count(r => r.Outcome == ReserveOutcome.Reserved));

        foreach (var sale in sales)
        {
            var item = Assert.Single((await b.Sales.GetSaleAsync(sale.Id))!.Items);
            Assert.Equal((0, 20), (item.Available, item.Reserved));
            var held = results.First(r => r.Reservation?.SaleId == sale.Id).Reservation!;
            Assert.Equal(ReservationOutcome.Confirmed, (await a.Sales.ConfirmAsync(sale.Id, held.Id, held.UserId)).Outcome);
            Assert.Equal(0, await b.Maintenance.SweepExpiredAsync(sale.Id));
            await b.Maintenance.DrainJournalAsync(sale.Id);
            Assert.True((await b.Maintenance.ReconcileAsync(sale.Id)).IsConsistent);
        }
    }

    [IntegrationFact(TestServer.RedisCluster | TestServer.Postgres)]
    public async Task RebuildAndRateLimit_WorkOnTheCluster()
    {
        var name = TestNames.Unique();
        await using var h = await SaleHarness.CreateAsync(cluster.ConnectionString, postgres.ConnectionString, name);
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 10, limit: 10));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(ReserveOutcome.Reserved, (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "u" })).Outcome);
        }

        Assert.Equal(ReserveOutcome.RateLimited, (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "u" })).Outcome);
        await h.Maintenance.DrainJournalAsync(sale.Id);
        Assert.True(await h.Maintenance.RebuildAsync(sale.Id, force: true));
        Assert.Equal(5, Assert.Single((await h.Sales.GetSaleAsync(sale.Id))!.Items).Reserved);
    }
}
