using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Commerce.FlashSale.Tests;

/// <summary>
/// A sale's Redis state lives for <see cref="FlashSaleOptions.RedisRetention"/> after its end on the sale clock, whatever
/// that clock says against Redis' own: a test clock set weeks in the past (or the future) keeps a sale for as long as on
/// the real one. Before, the keys expired at an instant of the sale clock read on Redis' clock, so a test clock some days
/// behind deleted a sale the moment it was created (and every test written on a fixed date broke a week later).
/// </summary>
public sealed class SaleClockTests(RedisFixture redis, PostgresFixture postgres) : IClassFixture<RedisFixture>, IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Retention = new FlashSaleOptions().RedisRetention;

    private Task<SaleHarness> InstanceAsync(string name, TimeProvider time) =>
        SaleHarness.CreateAsync(redis.ConnectionString, postgres.ConnectionString, name, o =>
        {
            o.Clock = FlashSaleClock.TimeProvider;
            o.RateLimitPermits = 0;
        }, s => s.AddSingleton(time));

    [IntegrationTheory(TestServer.Redis | TestServer.Postgres)]
    [InlineData(-30)]
    [InlineData(30)]
    public async Task OnATestClockDaysAwayFromRedis_ASaleKeepsItsRedisState_ForTheRetentionAfterItsEnd(int days)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(days));
        var name = TestNames.Unique();
        await using var h = await InstanceAsync(name, time);
        var definition = SaleHarness.Definition(startsIn: TimeSpan.FromMinutes(10), lasts: TimeSpan.FromHours(1), now: time.GetUtcNow()) with
        {
            WaitingRoom = new FlashSaleWaitingRoom { AdmissionsPerSecond = 10, AdmissionLifetime = TimeSpan.FromMinutes(1) },
        };

        var sale = await h.Sales.CreateSaleAsync(definition);
        Assert.Equal(SaleChangeOutcome.Done, await h.Sales.UpdateSaleAsync(sale.Id, definition with { EndsAt = definition.EndsAt.AddHours(1) }));
        Assert.Equal(QueueOutcome.Waiting, (await h.Sales.JoinQueueAsync(sale.Id, "early")).Outcome);

        Assert.NotNull(await h.Sales.GetSaleAsync(sale.Id));
        await AssertKeysLiveUntilAsync(name, sale.Id, TimeSpan.FromMinutes(10) + TimeSpan.FromHours(2) + Retention, count: 8);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task OnATestClockWeeksBehindRedis_ASaleRebuiltAfterItsKeysWereLost_KeepsThemForTheRetention()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-30));
        var name = TestNames.Unique();
        await using var h = await InstanceAsync(name, time);
        var definition = SaleHarness.Definition(lasts: TimeSpan.FromHours(1), now: time.GetUtcNow());
        var sale = await h.Sales.CreateSaleAsync(definition);

        await DeleteKeysAsync(name, sale.Id);   // Redis lost them; PostgreSQL still has the sale
        ReserveResult result = null!;
        await Eventually.TrueAsync(async () =>
            (result = await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice", ReservationId = "r1" })).Outcome
                != ReserveOutcome.Recovering, TimeSpan.FromSeconds(30), because: "the sale is rebuilt from PostgreSQL");

        Assert.Equal(ReserveOutcome.Reserved, result.Outcome);
        await AssertKeysLiveUntilAsync(name, sale.Id, definition.EndsAt - time.GetUtcNow() + Retention, count: 7, except: "drain");
    }

    private IEnumerable<RedisKey> KeysOf(string name, Guid sale) =>
        redis.Connection.GetServers()[0].Keys(pattern: $"test:fs:{name}:*{sale:N}*");

    private async Task DeleteKeysAsync(string name, Guid sale)
    {
        var keys = KeysOf(name, sale).ToArray();
        Assert.NotEmpty(keys);
        await redis.Connection.GetDatabase().KeyDeleteAsync(keys);
    }

    /// <summary>Each of the sale's <paramref name="count"/> keys expires within a minute of <paramref name="ttl"/> from now (on any clock).</summary>
    private async Task AssertKeysLiveUntilAsync(string name, Guid sale, TimeSpan ttl, int count, string? except = null)
    {
        var keys = KeysOf(name, sale).Where(k => except is null || !k.ToString().EndsWith(":" + except, StringComparison.Ordinal)).ToArray();
        Assert.Equal(count, keys.Length);
        foreach (var key in keys)
        {
            var left = await redis.Connection.GetDatabase().KeyTimeToLiveAsync(key);
            Assert.True(left is { } l && l > ttl - TimeSpan.FromMinutes(1) && l <= ttl, $"{key}: {left} (expected about {ttl})");
        }
    }
}
