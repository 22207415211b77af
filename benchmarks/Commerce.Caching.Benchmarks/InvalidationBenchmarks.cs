using BenchmarkDotNet.Attributes;
using StackExchange.Redis;

namespace Commerce.Caching.Benchmarks;

/// <summary>
/// Invalidating everything cached for one shop (1,000 entries) while Redis holds <see cref="Keyspace"/> other keys:
/// the old design's SCAN + UNLINK against each cache's own whole-group invalidation.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(2)]
[IterationCount(15)]
[InvocationCount(1)]
public class InvalidationBenchmarks
{
    private const int ShopEntries = 1_000;
    private const string Shop = "shop:42";

    private static readonly CommerceCacheEntryOptions CommerceOptions = new() { Duration = TimeSpan.FromMinutes(10) };

    private Caches _caches = null!;
    private string _prefix = "";

    [Params(1_000, 1_000_000)]
    public int Keyspace { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _prefix = $"bench-inv-{Guid.NewGuid():N}";
        _caches = await Caches.StartAsync(_prefix);
        var server = _caches.Connection.GetServers()[0];
        await server.FlushDatabaseAsync(Caches.Database);
        const int batch = 10_000;
        var value = new byte[32];
        for (var start = 0; start < Keyspace; start += batch)
        {
            var writes = Enumerable.Range(start, Math.Min(batch, Keyspace - start))
                .Select(i => _caches.Db.StringSetAsync($"filler:{i}", value, flags: CommandFlags.FireAndForget));
            await Task.WhenAll(writes);
            await _caches.Db.PingAsync();
        }

        Console.WriteLine($"// keyspace of database {Caches.Database}: {await server.DatabaseSizeAsync(Caches.Database)} keys");
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _caches.DisposeAsync();

    [IterationSetup(Target = nameof(ScanAndUnlink))]
    public void FillForScan()
    {
        var batch = _caches.Db.CreateBatch();
        var writes = Enumerable.Range(0, ShopEntries).Select(i => batch.StringSetAsync($"{_prefix}:scan:{Shop}:report:{i}", i, TimeSpan.FromMinutes(10))).ToArray();
        batch.Execute();
        Task.WaitAll(writes);
    }

    [IterationSetup(Target = nameof(Commerce_InvalidateScope))]
    public void FillCommerce() =>
        Task.WaitAll(Enumerable.Range(0, ShopEntries).Select(i => _caches.Commerce.SetAsync($"{Shop}:report:{i}", i, CommerceOptions, Shop).AsTask()).ToArray());

    [IterationSetup(Target = nameof(FusionCache_RemoveByTag))]
    public void FillFusion() =>
        Task.WaitAll(Enumerable.Range(0, ShopEntries).Select(i => _caches.Fusion.SetAsync($"{Shop}:report:{i}", i, tags: [Shop]).AsTask()).ToArray());

    [IterationSetup(Target = nameof(HybridCache_RemoveByTag))]
    public void FillHybrid() =>
        Task.WaitAll(Enumerable.Range(0, ShopEntries).Select(i => _caches.Hybrid.SetAsync($"{Shop}:report:{i}", i, tags: [Shop]).AsTask()).ToArray());

    /// <summary>The old design: SCAN the keyspace for the shop's prefix and UNLINK what it finds.</summary>
    [Benchmark(Baseline = true)]
    public async Task<int> ScanAndUnlink()
    {
        var deleted = 0;
        var found = new List<RedisKey>(ShopEntries);
        foreach (var server in _caches.Connection.GetServers())
        {
            await foreach (var key in server.KeysAsync(Caches.Database, $"{_prefix}:scan:{Shop}:*", pageSize: 1_000))
            {
                found.Add(key);
            }
        }

        foreach (var chunk in found.Chunk(500))
        {
            deleted += (int)await _caches.Db.KeyDeleteAsync(chunk, CommandFlags.DemandMaster);
        }

        return deleted;
    }

    [Benchmark]
    public ValueTask Commerce_InvalidateScope() => _caches.Commerce.InvalidateScopeAsync(Shop);

    [Benchmark]
    public ValueTask FusionCache_RemoveByTag() => _caches.Fusion.RemoveByTagAsync(Shop);

    [Benchmark]
    public ValueTask HybridCache_RemoveByTag() => _caches.Hybrid.RemoveByTagAsync(Shop);
}
