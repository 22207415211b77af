using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Commerce.FlashSale.Tests;

/// <summary>An update of a sale never leaves Redis and PostgreSQL disagreeing, and never deletes reservations.</summary>
public sealed class SaleUpdateTests(RedisFixture redis, PostgresFixture postgres) : IClassFixture<RedisFixture>, IClassFixture<PostgresFixture>
{
    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task UpdateWhenPostgresFails_LeavesTheOldDefinitionInRedisToo()
    {
        var pg = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
        await using var proxy = TcpChaosProxy.Start($"{pg.Host}:{pg.Port}");
        var throughProxy = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 3, Pooling = false }.ConnectionString;
        await using var h = await SaleHarness.CreateAsync(redis.ConnectionString, throughProxy, TestNames.Unique(), o => o.RateLimitPermits = 0);
        var definition = SaleHarness.Definition(stock: 10, startsIn: TimeSpan.FromHours(1));
        var sale = await h.Sales.CreateSaleAsync(definition);

        proxy.Refuse();
        await Assert.ThrowsAsync<FlashSaleUnavailableException>(() => h.Sales.UpdateSaleAsync(sale.Id, definition with { Items = [new("p1", 99, 1m, 1)] }));
        proxy.Restore();

        Assert.Equal(10, Assert.Single((await h.Sales.GetSaleAsync(sale.Id))!.Items).Stock);
        var report = await h.Maintenance.ReconcileAsync(sale.Id);
        Assert.True(report.IsConsistent, string.Join("; ", report.Differences));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Update_NeverDeletesReservations()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var earlier = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        var name = TestNames.Unique();
        Task<SaleHarness> InstanceAsync(TimeProvider clock) => SaleHarness.CreateAsync(redis.ConnectionString, postgres.ConnectionString, name, o =>
        {
            o.RateLimitPermits = 0;
            o.Clock = FlashSaleClock.TimeProvider;
        }, s => s.AddSingleton(clock));
        await using var h = await InstanceAsync(time);
        await using var behind = await InstanceAsync(earlier);
        var definition = SaleHarness.Definition(stock: 10, limit: 5, now: time.GetUtcNow());
        var sale = await h.Sales.CreateSaleAsync(definition);
        await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice", ReservationId = "keep-me" });
        await h.Maintenance.DrainJournalAsync(sale.Id);

        // An instance whose clock says the sale has not started yet asks to replace its items.
        await behind.Sales.UpdateSaleAsync(sale.Id, definition with { Items = [new("p1", 20, 9.99m, 5), new("p2", 5, 1m, 1)] });

        await using var command = postgres.DataSource.CreateCommand($"select count(*) from \"{name}\".reservations where sale_id = @sale");
        command.Parameters.AddWithValue("sale", sale.Id);
        Assert.Equal(1L, await command.ExecuteScalarAsync());
        Assert.Equal(ReservationState.Reserved, (await h.Sales.GetReservationAsync(sale.Id, "keep-me", "alice"))!.State);
    }
}
