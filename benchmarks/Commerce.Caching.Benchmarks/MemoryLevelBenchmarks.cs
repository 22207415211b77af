using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Commerce.Caching.Benchmarks;

/// <summary>
/// The memory level alone, without Redis: a hit of an immutable value (shared) and of a mutable one (a copy per caller,
/// HybridCache's rule), and Microsoft.Extensions.Caching.Memory's <c>TryGetValue</c> as the floor of a level built on
/// <see cref="MemoryCache"/>, to decide whether ours should be.
/// </summary>
[MemoryDiagnoser]
public class MemoryLevelBenchmarks
{
    private static readonly Report Immutable = new("shop:1", 1234.56m, 42, 29.39m);
    private static readonly CommerceCacheEntryOptions CommerceOptions = new() { Duration = TimeSpan.FromMinutes(10) };
    private static readonly HybridCacheEntryOptions HybridOptions = new() { Expiration = TimeSpan.FromMinutes(10) };
    private static readonly Func<CancellationToken, ValueTask<Report>> ImmutableFactory = _ => ValueTask.FromResult(Immutable);
    private static readonly Func<CancellationToken, ValueTask<MutableReport>> MutableFactory =
        _ => ValueTask.FromResult(new MutableReport { Shop = "shop:1", Revenue = 1234.56m, Orders = 42, AverageOrderValue = 29.39m });

    private readonly List<IHost> _hosts = [];
    private CommerceCache _commerce = null!;
    private HybridCache _hybrid = null!;
    private MemoryCache _memoryCache = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _commerce = (await HostAsync(s => s.AddCommerceCaching())).Services.GetRequiredService<CommerceCache>();
        _hybrid = (await HostAsync(s => s.AddHybridCache())).Services.GetRequiredService<HybridCache>();
        _memoryCache = new MemoryCache(new MemoryCacheOptions());
        _memoryCache.Set("hit", Immutable, TimeSpan.FromMinutes(10));
        await _commerce.GetOrSetAsync("hit", ImmutableFactory, CommerceOptions);
        await _commerce.GetOrSetAsync("mutable", MutableFactory, CommerceOptions);
        await _hybrid.GetOrCreateAsync("hit", ImmutableFactory, HybridOptions);
        await _hybrid.GetOrCreateAsync("mutable", MutableFactory, HybridOptions);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }

        _memoryCache.Dispose();
    }

    [Benchmark(Baseline = true)]
    public ValueTask<Report> HybridCache_ImmutableHit() => _hybrid.GetOrCreateAsync("hit", ImmutableFactory, HybridOptions);

    [Benchmark]
    public ValueTask<Report> Commerce_ImmutableHit() => _commerce.GetOrSetAsync("hit", ImmutableFactory, CommerceOptions);

    [Benchmark]
    public ValueTask<MutableReport> HybridCache_MutableHit() => _hybrid.GetOrCreateAsync("mutable", MutableFactory, HybridOptions);

    [Benchmark]
    public ValueTask<MutableReport> Commerce_MutableHit() => _commerce.GetOrSetAsync("mutable", MutableFactory, CommerceOptions);

    [Benchmark]
    public object? MemoryCache_TryGetValue() => _memoryCache.TryGetValue("hit", out var value) ? value : null;

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
