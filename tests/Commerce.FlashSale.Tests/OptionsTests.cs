using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Commerce.FlashSale.Tests;

public sealed class OptionsTests(RedisFixture redis, PostgresFixture postgres) : IClassFixture<RedisFixture>, IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task InvalidOptions_FailHostStart_NamingEachSetting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddCommerceFlashSale(o =>
        {
            o.Schema = "Bad-Schema";
            o.HoldDuration = TimeSpan.Zero;
            o.KeyPrefix = "a{b}";
        });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        foreach (var setting in new[] { "Schema", "HoldDuration", "KeyPrefix", "RedisConfiguration", "PostgresConnectionString" })
        {
            Assert.Contains(setting, error.Message, StringComparison.Ordinal);
        }
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Metrics_CountReservationsByOutcome()
    {
        await using var h = await SaleHarness.CreateAsync(redis.ConnectionString, postgres.ConnectionString, TestNames.Unique(), o => o.RateLimitPermits = 0);
        using var collector = new MetricCollector<long>(h.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), CommerceFlashSaleDiagnostics.MeterName, "commerce.flash_sale.reservations");
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 1));

        await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "a" });
        await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "b" });

        var byOutcome = collector.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags["outcome"]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(new Dictionary<string, long> { ["reserved"] = 1, ["sold_out"] = 1 }, byOutcome);
    }

    [Fact]
    public async Task SweepBatchesLargeEnoughToBlockAShard_AreRefusedAtStart()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddCommerceFlashSale(o =>
        {
            o.SweepBatch = 50_000;
            o.LazySweepBatch = 5_000;
        }).WithRedis("localhost:1").WithPostgres("Host=localhost");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("SweepBatch", error.Message, StringComparison.Ordinal);
        Assert.Contains("LazySweepBatch", error.Message, StringComparison.Ordinal);
    }

    [IntegrationFact(TestServer.OwnedRedis | TestServer.Postgres)]
    public async Task RedisThatEvictsKeys_IsWarnedAboutAtStart_NamingTheSetting()
    {
        await using var server = await RedisServerProcess.StartAsync("--maxmemory-policy", "allkeys-lru");
        await using var h = await SaleHarness.CreateAsync($"{server.EndPoint},allowAdmin=true", postgres.ConnectionString, TestNames.Unique(), services: s => s.AddFakeLogging());

        await h.StartAsync();

        var logs = h.Services.GetRequiredService<Microsoft.Extensions.Logging.Testing.FakeLogCollector>().GetSnapshot();
        var warning = Assert.Single(logs, l => l.Id.Name == "RedisEvicts");
        Assert.Contains("noeviction", warning.Message, StringComparison.Ordinal);
        Assert.Contains("allkeys-lru", warning.Message, StringComparison.Ordinal);
        await h.StopAsync();
    }
}
