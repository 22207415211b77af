using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Caching.Hybrid;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;

namespace Commerce.Caching.Benchmarks;

/// <summary>
/// Reads through each cache, side by side on the same Redis: a memory hit, a Redis hit (memory level skipped), and a
/// miss that runs the factory and writes both levels. A plain StackExchange.Redis GET is the one-round-trip reference.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ReadBenchmarks
{
    private static readonly Report Value = new("shop:1", 1234.56m, 42, 29.39m);

    private static readonly CommerceCacheEntryOptions CommerceOptions = new() { Duration = TimeSpan.FromMinutes(10) };
    private static readonly CommerceCacheEntryOptions CommerceRedisOnly = new() { Duration = TimeSpan.FromMinutes(10), Flags = HybridCacheEntryFlags.DisableLocalCache };
    private static readonly FusionCacheEntryOptions FusionOptions = new() { Duration = TimeSpan.FromMinutes(10) };
    private static readonly FusionCacheEntryOptions FusionRedisOnly = new() { Duration = TimeSpan.FromMinutes(10), SkipMemoryCacheRead = true, SkipMemoryCacheWrite = true };
    private static readonly HybridCacheEntryOptions HybridOptions = new() { Expiration = TimeSpan.FromMinutes(10) };
    private static readonly HybridCacheEntryOptions HybridRedisOnly = new() { Expiration = TimeSpan.FromMinutes(10), Flags = HybridCacheEntryFlags.DisableLocalCache };

    private static readonly Func<CancellationToken, ValueTask<Report>> CommerceFactory = _ => ValueTask.FromResult(Value);
    private static readonly Func<FusionCacheFactoryExecutionContext<Report>, CancellationToken, Task<Report>> FusionFactory = (_, _) => Task.FromResult(Value);
    private static readonly Func<CancellationToken, ValueTask<Report>> HybridFactory = _ => ValueTask.FromResult(Value);

    private Caches _caches = null!;
    private long _counter;
    private RedisKey _rawKey;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var prefix = $"bench-read-{Guid.NewGuid():N}";
        _caches = await Caches.StartAsync(prefix);
        _rawKey = $"{prefix}:raw";
        await _caches.Db.StringSetAsync(_rawKey, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(Value), TimeSpan.FromMinutes(30));
        await _caches.Commerce.GetOrSetAsync("hit", CommerceFactory, CommerceOptions);
        await _caches.Fusion.GetOrSetAsync("hit", FusionFactory, default, FusionOptions);
        await _caches.Hybrid.GetOrCreateAsync("hit", HybridFactory, HybridOptions);
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _caches.DisposeAsync();

    // ------------------------------------------------------------------ memory hit

    [Benchmark(Baseline = true), BenchmarkCategory("1 memory hit")]
    public ValueTask<Report?> FusionCache_MemoryHit() => _caches.Fusion.GetOrSetAsync<Report?>("hit", FusionFactory!, default, FusionOptions);

    [Benchmark, BenchmarkCategory("1 memory hit")]
    public ValueTask<Report> HybridCache_MemoryHit() => _caches.Hybrid.GetOrCreateAsync("hit", HybridFactory, HybridOptions);

    [Benchmark, BenchmarkCategory("1 memory hit")]
    public ValueTask<Report> Commerce_MemoryHit() => _caches.Commerce.GetOrSetAsync("hit", CommerceFactory, CommerceOptions);

    // ------------------------------------------------------------------ redis hit

    [Benchmark(Baseline = true), BenchmarkCategory("2 redis hit")]
    public Task<RedisValue> RawRedisGet() => _caches.Db.StringGetAsync(_rawKey);

    [Benchmark, BenchmarkCategory("2 redis hit")]
    public ValueTask<Report?> FusionCache_RedisHit() => _caches.Fusion.GetOrSetAsync<Report?>("hit", FusionFactory!, default, FusionRedisOnly);

    [Benchmark, BenchmarkCategory("2 redis hit")]
    public ValueTask<Report> HybridCache_RedisHit() => _caches.Hybrid.GetOrCreateAsync("hit", HybridFactory, HybridRedisOnly);

    [Benchmark, BenchmarkCategory("2 redis hit")]
    public ValueTask<Report> Commerce_RedisHit() => _caches.Commerce.GetOrSetAsync("hit", CommerceFactory, CommerceRedisOnly);

    // ------------------------------------------------------------------ miss + set

    [Benchmark(Baseline = true), BenchmarkCategory("3 miss and set")]
    public ValueTask<Report?> FusionCache_MissAndSet() =>
        _caches.Fusion.GetOrSetAsync<Report?>($"miss:{Interlocked.Increment(ref _counter)}", FusionFactory!, default, FusionOptions);

    [Benchmark, BenchmarkCategory("3 miss and set")]
    public ValueTask<Report> HybridCache_MissAndSet() =>
        _caches.Hybrid.GetOrCreateAsync($"miss:{Interlocked.Increment(ref _counter)}", HybridFactory, HybridOptions);

    [Benchmark, BenchmarkCategory("3 miss and set")]
    public ValueTask<Report> Commerce_MissAndSet() =>
        _caches.Commerce.GetOrSetAsync($"miss:{Interlocked.Increment(ref _counter)}", CommerceFactory, CommerceOptions);
}
