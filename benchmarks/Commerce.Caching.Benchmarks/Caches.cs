using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;

namespace Commerce.Caching.Benchmarks;

/// <summary>The three caches under test, each with an in-process level and the same Redis as second level.</summary>
public sealed class Caches : IAsyncDisposable
{
    /// <summary>Redis database the benchmarks use, so their million keys stay out of the tests' database 0.</summary>
    public const int Database = 1;

    private readonly List<IHost> _hosts = [];

    public static string Redis =>
        (Environment.GetEnvironmentVariable("ConnectionStrings__Redis") ?? Environment.GetEnvironmentVariable("COMMERCE_TEST_REDIS") ?? "localhost:6379")
        + $",defaultDatabase={Database}";

    public CommerceCache Commerce { get; private set; } = null!;

    public IFusionCache Fusion { get; private set; } = null!;

    public HybridCache Hybrid { get; private set; } = null!;

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public IDatabase Db => Connection.GetDatabase(Database);

    public static async Task<Caches> StartAsync(string prefix)
    {
        var caches = new Caches { Connection = await ConnectionMultiplexer.ConnectAsync(Redis + ",allowAdmin=true") };

        caches.Commerce = (await caches.HostAsync(s => s.AddCommerceCaching(o => o.KeyPrefix = $"{prefix}:commerce").WithRedis(Redis)))
            .Services.GetRequiredService<CommerceCache>();

        caches.Fusion = (await caches.HostAsync(s => s.AddFusionCache()
                .WithCacheKeyPrefix($"{prefix}:fusion:")
                .WithDefaultEntryOptions(new FusionCacheEntryOptions { Duration = TimeSpan.FromMinutes(10) })
                .WithSerializer(new JsonFusionSerializer())
                .WithDistributedCache(new RedisCache(new RedisCacheOptions { Configuration = Redis, InstanceName = $"{prefix}:fusion-l2:" }))))
            .Services.GetRequiredService<IFusionCache>();

        caches.Hybrid = (await caches.HostAsync(s =>
            {
                s.AddStackExchangeRedisCache(o =>
                {
                    o.Configuration = Redis;
                    o.InstanceName = $"{prefix}:hybrid:";
                });
                s.AddHybridCache(o => o.DefaultEntryOptions = new HybridCacheEntryOptions { Expiration = TimeSpan.FromMinutes(10) });
            }))
            .Services.GetRequiredService<HybridCache>();
        return caches;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }

        await Connection.DisposeAsync();
    }

    private async Task<IHost> HostAsync(Action<IServiceCollection> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        configure(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        _hosts.Add(host);
        return host;
    }
}
