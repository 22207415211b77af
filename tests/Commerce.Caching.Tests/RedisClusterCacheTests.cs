using StackExchange.Redis;

namespace Commerce.Caching.Tests;

/// <summary>The cache on a real 3-primary Redis Cluster: every script touches one hash slot.</summary>
public sealed class RedisClusterCacheTests(RedisClusterFixture cluster) : IClassFixture<RedisClusterFixture>
{
    private static readonly CommerceCacheEntryOptions TenMinutes = new() { Duration = TimeSpan.FromMinutes(10) };

    private Task<CacheHarness> InstanceAsync(string prefix, Action<CommerceCacheOptions>? configure = null) =>
        CacheHarness.CreateAsync(cluster.ConnectionString, prefix, configure: configure);

    [IntegrationFact(TestServer.RedisCluster)]
    public async Task ScopedEntries_ShareTheirScopesHashSlot()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await a.Cache.SetAsync("shop:1:sales", 1, TenMinutes, scope: "shop:1");
        await a.Cache.InvalidateScopeAsync("shop:1");

        var slots = new[] { $"{prefix}:{{shop:1}}:v:shop:1:sales", $"{prefix}:{{shop:1}}:g", $"{prefix}:{{shop:1}}:l:shop:1:sales" }
            .Select(k => cluster.Connection.HashSlot(k))
            .Distinct();
        Assert.Single(slots);
    }

    [IntegrationFact(TestServer.RedisCluster)]
    public async Task ScopesSpreadOverNodes_AndReadInvalidateReadWorksOnEach()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await using var b = await InstanceAsync(prefix);
        var scopes = Enumerable.Range(0, 30).Select(i => $"shop:{i}").ToArray();
        var layout = cluster.Connection.GetServers().First().ClusterConfiguration!;
        var nodes = scopes.Select(s => layout.GetBySlot(cluster.Connection.HashSlot($"{prefix}:{{{s}}}:g"))!.NodeId).Distinct().Count();
        Assert.True(nodes > 1, "the test's scopes should land on several primaries");

        foreach (var scope in scopes)
        {
            await a.Cache.SetAsync($"{scope}:sales", "old", TenMinutes, scope: scope);
            Assert.Equal("old", (await b.Cache.TryGetAsync<string>($"{scope}:sales", scope)).Value);
            await a.Cache.InvalidateScopeAsync(scope);
            await using var fresh = await InstanceAsync(prefix);
            Assert.False((await fresh.Cache.TryGetAsync<string>($"{scope}:sales", scope)).HasValue);
        }

        await Eventually.TrueAsync(async () => !(await b.Cache.TryGetAsync<string>("shop:29:sales", "shop:29")).HasValue);
    }

    [IntegrationFact(TestServer.RedisCluster)]
    public async Task Tags_WhoseGenerationsLiveOnOtherNodes_StillInvalidate()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        var tagged = new CommerceCacheEntryOptions { Duration = TimeSpan.FromMinutes(10), Tags = ["reports", "sales", "shop-3"] };
        await a.Cache.SetAsync("shop:3:sales", "old", tagged, scope: "shop:3");

        await a.Cache.RemoveByTagAsync("sales");

        await using var b = await InstanceAsync(prefix);
        Assert.False((await b.Cache.TryGetAsync<string>("shop:3:sales", "shop:3")).HasValue);
        Assert.False((await a.Cache.TryGetAsync<string>("shop:3:sales", "shop:3")).HasValue);
    }

    [IntegrationFact(TestServer.RedisCluster)]
    public async Task DistributedStampedeProtection_OnCluster_RunsTheFactoryOnce()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix, o => o.DistributedStampedeProtection = true);
        await using var b = await InstanceAsync(prefix, o => o.DistributedStampedeProtection = true);
        var calls = 0;
        async ValueTask<int> Factory(CancellationToken ct)
        {
            Interlocked.Increment(ref calls);
            await Task.Delay(200, ct);
            return 7;
        }

        var results = await Task.WhenAll(new[] { a, b }.SelectMany(h => Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
            await h.Cache.GetOrSetAsync("shop:4:report", Factory, TenMinutes, scope: "shop:4")))));

        Assert.All(results, r => Assert.Equal(7, r));
        Assert.Equal(1, calls);
    }

    [IntegrationFact(TestServer.RedisCluster)]
    public async Task GetOrSetMany_AcrossSlots_OnCluster()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await using var b = await InstanceAsync(prefix);
        var keys = Enumerable.Range(0, 40).Select(i => $"product:{i}").ToArray();
        await a.Cache.GetOrSetManyAsync<int>(keys, (m, _) => ValueTask.FromResult<IReadOnlyDictionary<string, int>>(m.ToDictionary(k => k, k => k.Length)));

        var values = await b.Cache.GetOrSetManyAsync<int>(keys, (_, _) => throw new InvalidOperationException("should come from Redis"));

        Assert.Equal(40, values.Count);
    }
}
