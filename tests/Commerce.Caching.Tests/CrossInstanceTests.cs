using Microsoft.Extensions.Caching.Hybrid;

namespace Commerce.Caching.Tests;

/// <summary>
/// The cache's own promises across instances and races, on a real Redis: writes and removes reach every instance,
/// nothing loaded before an invalidation is served after it, and lost or late messages never revive old entries.
/// </summary>
public sealed class CrossInstanceTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly CommerceCacheEntryOptions TenMinutes = new() { Duration = TimeSpan.FromMinutes(10) };

    private Task<CacheHarness> InstanceAsync(string prefix) => CacheHarness.CreateAsync(redis.ConnectionString, prefix);

    [IntegrationTheory(TestServer.Redis)]
    [InlineData(null)]
    [InlineData("shop:1")]
    public async Task SetOnOneInstance_ReplacesTheValueOnEveryInstance(string? scope)
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await using var b = await InstanceAsync(prefix);
        await b.Cache.GetOrSetAsync("price", _ => ValueTask.FromResult("old"), TenMinutes, scope);

        await a.Cache.SetAsync("price", "new", TenMinutes, scope);

        await Eventually.TrueAsync(async () => (await b.Cache.TryGetAsync<string>("price", scope)).GetValueOrDefault("none") == "new");
        Assert.Equal("new", await b.Cache.GetOrSetAsync("price", _ => ValueTask.FromResult("from-factory"), TenMinutes, scope));
        Assert.Equal("new", (await a.Cache.TryGetAsync<string>("price", scope)).Value);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task ReadStartedAfterInvalidateScopeReturned_DoesNotJoinALoadThatBeganBeforeIt()
    {
        await using var cache = await InstanceAsync(TestNames.Unique());
        var oldRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var before = cache.Cache.GetOrSetAsync("shop:1:sales", async _ =>
        {
            oldRead.SetResult();
            await release.Task;
            return "computed-from-old-data";
        }, TenMinutes, scope: "shop:1").AsTask();
        await oldRead.Task;

        await cache.Cache.InvalidateScopeAsync("shop:1");
        var after = cache.Cache.GetOrSetAsync("shop:1:sales", _ => ValueTask.FromResult("computed-after"), TenMinutes, scope: "shop:1").AsTask();

        Assert.Equal("computed-after", await after.WaitAsync(TimeSpan.FromSeconds(10)));
        release.SetResult();
        Assert.Equal("computed-from-old-data", await before);
        Assert.Equal("computed-after", (await cache.Cache.TryGetAsync<string>("shop:1:sales", "shop:1")).Value);
    }

    [IntegrationTheory(TestServer.Redis)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LoadRunningWhenARemoveLands_DoesNotStoreItsValueAfterwards(bool removeOnOtherInstance)
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await using var b = await InstanceAsync(prefix);
        var remover = removeOnOtherInstance ? b : a;
        var oldRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = a.Cache.GetOrSetAsync("stock:1", async _ =>
        {
            oldRead.SetResult();
            await release.Task;
            return "read-before-the-remove";
        }, TenMinutes, scope: "shop:1").AsTask();
        await oldRead.Task;

        await remover.Cache.RemoveAsync("stock:1", "shop:1");
        release.SetResult();
        Assert.Equal("read-before-the-remove", await slow); // its own caller gets it...

        // ...but nobody is served it afterwards: not from Redis at all, and not from a's memory once the remove is
        // known there (at once when a removed it, within pub/sub latency when b did).
        await using var c = await InstanceAsync(prefix);
        Assert.Equal("fresh", await c.Cache.GetOrSetAsync("stock:1", _ => ValueTask.FromResult("fresh"), TenMinutes, scope: "shop:1"));
        if (removeOnOtherInstance)
        {
            await Eventually.TrueAsync(async () => (await a.Cache.TryGetAsync<string>("stock:1", "shop:1")).GetValueOrDefault("none") != "read-before-the-remove");
        }

        Assert.NotEqual("read-before-the-remove", await a.Cache.GetOrSetAsync("stock:1", _ => ValueTask.FromResult("fresh"), TenMinutes, scope: "shop:1"));
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task LoadRunningWhenASetLands_DoesNotOverwriteTheSet()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await using var b = await InstanceAsync(prefix);
        var oldRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = a.Cache.GetOrSetAsync("price:1", async _ =>
        {
            oldRead.SetResult();
            await release.Task;
            return "read-before-the-set";
        }, TenMinutes).AsTask();
        await oldRead.Task;

        await b.Cache.SetAsync("price:1", "set-value", TenMinutes);
        release.SetResult();
        await slow;

        await Eventually.TrueAsync(async () => (await a.Cache.TryGetAsync<string>("price:1")).GetValueOrDefault("none") == "set-value");
        await using var c = await InstanceAsync(prefix);
        Assert.Equal("set-value", (await c.Cache.TryGetAsync<string>("price:1")).Value);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task HybridCacheRemove_FindsAScopedEntryThisInstanceNeverHeld()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await using var b = await InstanceAsync(prefix);
        await a.Cache.SetAsync("shop:3:report", "cached", TenMinutes, scope: "shop:3");

        await ((HybridCache)b.Cache).RemoveAsync("shop:3:report");

        await using var c = await InstanceAsync(prefix);
        Assert.False((await c.Cache.TryGetAsync<string>("shop:3:report", "shop:3")).HasValue);
        await Eventually.TrueAsync(async () => !(await a.Cache.TryGetAsync<string>("shop:3:report", "shop:3")).HasValue);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task TagInvalidation_HoldsForAnEntryReadFromRedis_ByAnInstanceThatHasNotHeardTheMessageYet()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await using var b = await InstanceAsync(prefix);
        HybridCache hybridA = a.Cache, hybridB = b.Cache;
        await hybridA.SetAsync("product:1", "old", tags: ["catalog"]);
        await hybridA.SetAsync("product:2", "old", tags: ["catalog"]);
        Assert.Equal("old", await hybridB.GetOrCreateAsync("product:2", _ => ValueTask.FromResult("unexpected"), tags: ["catalog"])); // b knows the tag now

        // An invalidation whose message has not reached b yet: the generation moved in Redis, nothing was published.
        await redis.Database.StringIncrementAsync($"{prefix}:t:catalog");

        Assert.Equal("new", await hybridB.GetOrCreateAsync("product:1", _ => ValueTask.FromResult("new"), tags: ["catalog"]));
        await a.Cache.SetAsync("product:3", "old", new CommerceCacheEntryOptions { Tags = ["catalog"] });
        await redis.Database.StringIncrementAsync($"{prefix}:t:catalog");
        Assert.False((await b.Cache.TryGetAsync<string>("product:3")).HasValue); // TryGet names no tag: the entry's own are read
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task GenerationGoingBackInRedis_DoesNotMakeOldEntriesFreshAgain()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await using var b = await InstanceAsync(prefix);
        var generationKey = $"{prefix}:{{shop:9}}:g";
        await a.Cache.SetAsync("shop:9:sales", "old", TenMinutes, scope: "shop:9");
        var before = (long)await redis.Database.StringGetAsync(generationKey);
        await a.Cache.InvalidateScopeAsync("shop:9");
        await b.Cache.TryGetAsync<string>("shop:9:other", "shop:9"); // b reads the scope's current generation

        // A failover to a replica that missed the INCR: the generation is back where "old" was written.
        await redis.Database.StringSetAsync(generationKey, before);

        Assert.False((await b.Cache.TryGetAsync<string>("shop:9:sales", "shop:9")).HasValue);
        Assert.False((await a.Cache.TryGetAsync<string>("shop:9:sales", "shop:9")).HasValue);
        await using var c = await InstanceAsync(prefix); // knew nothing, but the others raised the generation again
        Assert.False((await c.Cache.TryGetAsync<string>("shop:9:sales", "shop:9")).HasValue);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task GenerationKeysInRedis_LiveLongerThanTheEntriesStampedWithThem_ButNotForever()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        var tenMinutesTagged = new CommerceCacheEntryOptions { Duration = TimeSpan.FromMinutes(10), Tags = ["catalog"] };
        await a.Cache.SetAsync("k", 1, tenMinutesTagged, scope: "user:42");
        await a.Cache.InvalidateScopeAsync("user:43"); // a scope only ever invalidated

        var entry = await redis.Database.KeyTimeToLiveAsync($"{prefix}:{{user:42}}:v:k");
        var scope = await redis.Database.KeyTimeToLiveAsync($"{prefix}:{{user:42}}:g");
        var tag = await redis.Database.KeyTimeToLiveAsync($"{prefix}:t:catalog");
        var lonely = await redis.Database.KeyTimeToLiveAsync($"{prefix}:{{user:43}}:g");

        Assert.NotNull(scope);
        Assert.NotNull(tag);
        Assert.NotNull(lonely);
        Assert.True(scope > entry, $"scope generation TTL {scope} must outlive the entry's {entry}");
        Assert.True(tag > entry, $"tag generation TTL {tag} must outlive the entry's {entry}");
    }
}
