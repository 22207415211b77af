using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Commerce.Caching.Tests;

/// <summary>Two or more cache instances sharing a real Redis server.</summary>
public sealed class RedisCacheTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly CommerceCacheEntryOptions TenMinutes = new() { Duration = TimeSpan.FromMinutes(10) };

    private Task<CacheHarness> InstanceAsync(string prefix, TimeProvider? time = null, Action<CommerceCacheOptions>? configure = null) =>
        CacheHarness.CreateAsync(redis.ConnectionString, prefix, time, configure);

    [IntegrationFact(TestServer.Redis)]
    public async Task SecondInstance_ReadsTheValueFromRedis_WithoutCallingItsFactory()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await using var b = await InstanceAsync(prefix);
        var factoryA = new CountingFactory();
        var factoryB = new CountingFactory();

        await a.Cache.GetOrSetAsync("shop:1:sales", factoryA.Next, TenMinutes, scope: "shop:1");
        var fromB = await b.Cache.GetOrSetAsync("shop:1:sales", factoryB.Next, TenMinutes, scope: "shop:1");

        Assert.Equal("value-1", fromB);
        Assert.Equal(0, factoryB.Calls);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task InvalidateScope_AfterItReturns_NoInstanceReadsTheOldEntryFromRedis()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await a.Cache.GetOrSetAsync("shop:7:sales", _ => ValueTask.FromResult("old"), TenMinutes, scope: "shop:7");

        await a.Cache.InvalidateScopeAsync("shop:7");

        await using var fresh = await InstanceAsync(prefix);
        Assert.False((await fresh.Cache.TryGetAsync<string>("shop:7:sales", "shop:7")).HasValue);
        Assert.Equal("new", await fresh.Cache.GetOrSetAsync("shop:7:sales", _ => ValueTask.FromResult("new"), TenMinutes, scope: "shop:7"));
        Assert.Equal("new", await a.Cache.GetOrSetAsync("shop:7:sales", _ => ValueTask.FromResult("unexpected"), TenMinutes, scope: "shop:7"));
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task InvalidateScope_OtherInstanceStopsServingItsMemoryEntry()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await using var b = await InstanceAsync(prefix);
        await b.Cache.GetOrSetAsync("shop:2:dashboard", _ => ValueTask.FromResult("old"), TenMinutes, scope: "shop:2");
        Assert.True((await b.Cache.TryGetAsync<string>("shop:2:dashboard", "shop:2")).HasValue);

        await a.Cache.InvalidateScopeAsync("shop:2");

        // b hears the invalidation over pub/sub (sub-millisecond here); bounded wait, not a timing assertion.
        await Eventually.TrueAsync(async () => !(await b.Cache.TryGetAsync<string>("shop:2:dashboard", "shop:2")).HasValue);
        Assert.Equal("new", await b.Cache.GetOrSetAsync("shop:2:dashboard", _ => ValueTask.FromResult("new"), TenMinutes, scope: "shop:2"));
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task ValueComputedBeforeAnInvalidation_IsNotServedAfterIt_EvenWhenItsWriteLandsLater()
    {
        var prefix = TestNames.Unique();
        await using var reader = await InstanceAsync(prefix);
        await using var writer = await InstanceAsync(prefix);
        var factoryStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finishFactory = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // reader misses and starts reading the database (old data)...
        var slow = reader.Cache.GetOrSetAsync(
            "shop:3:sales",
            async _ =>
            {
                factoryStarted.SetResult();
                await finishFactory.Task;
                return "computed-from-old-data";
            },
            TenMinutes,
            scope: "shop:3").AsTask();
        await factoryStarted.Task;

        // ...meanwhile a webhook changes the data and invalidates the shop...
        await writer.Cache.InvalidateScopeAsync("shop:3");

        // ...then the slow read finishes and writes its (old) value to both levels.
        finishFactory.SetResult();
        Assert.Equal("computed-from-old-data", await slow);

        await using var third = await InstanceAsync(prefix);
        Assert.Equal("fresh", await third.Cache.GetOrSetAsync("shop:3:sales", _ => ValueTask.FromResult("fresh"), TenMinutes, scope: "shop:3"));
        Assert.Equal("fresh", await writer.Cache.GetOrSetAsync("shop:3:sales", _ => ValueTask.FromResult("unexpected"), TenMinutes, scope: "shop:3"));
        await Eventually.TrueAsync(async () =>
            await reader.Cache.GetOrSetAsync("shop:3:sales", _ => ValueTask.FromResult("fresh"), TenMinutes, scope: "shop:3") == "fresh");
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task ManyParallelMisses_RunTheFactoryOncePerProcess()
    {
        // The claim is about a process whose invalidation channel stays healthy. With the default 500 ms Redis timeout,
        // a loaded CI machine (every test project starting at once) could miss the first subscribe at start-up; the
        // channel then became healthy in the middle of the burst, and a load that began while this instance could not
        // hear invalidations is rightly not joined by later callers (CI saw 3 factory calls). Generous timeouts keep
        // that unrelated fault out of this test.
        await using var cache = await InstanceAsync(TestNames.Unique(), configure: o =>
        {
            o.RedisTimeout = TimeSpan.FromSeconds(10);
            o.HeartbeatTimeout = TimeSpan.FromSeconds(30);
        });
        var calls = 0;
        async ValueTask<int> Factory(CancellationToken ct)
        {
            Interlocked.Increment(ref calls);
            await Task.Delay(50, ct);
            return 1;
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => Task.Run(async () =>
            await cache.Cache.GetOrSetAsync("hot", Factory, TenMinutes, scope: "shop:1"))));

        Assert.All(results, r => Assert.Equal(1, r));
        Assert.Equal(1, calls);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task ACallerArrivingAfterTheFirstLoadOfANewScopeReadRedis_JoinsThatLoad()
    {
        // The load's read is the first this process makes of the scope (and of everything's generation): learning
        // the generations it has had all along is no invalidation, so later callers still join the load.
        await using var cache = await InstanceAsync(TestNames.Unique());
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        async ValueTask<int> Factory(CancellationToken ct)
        {
            Interlocked.Increment(ref calls);
            entered.TrySetResult();
            await gate.Task.WaitAsync(ct);
            return 1;
        }

        var first = cache.Cache.GetOrSetAsync("hot", Factory, TenMinutes, scope: "shop:new").AsTask();
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));   // its Redis read is done: the generations are known now
        var second = cache.Cache.GetOrSetAsync("hot", Factory, TenMinutes, scope: "shop:new").AsTask();
        gate.SetResult();

        var results = await Task.WhenAll(first, second);
        Assert.Equal(new[] { 1, 1 }, results);
        Assert.Equal(1, calls);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task DistributedStampedeProtection_ThreeInstancesOfManyCallers_RunTheFactoryOnce()
    {
        var prefix = TestNames.Unique();
        var instances = new List<CacheHarness>();
        for (var i = 0; i < 3; i++)
        {
            instances.Add(await InstanceAsync(prefix, configure: o => o.DistributedStampedeProtection = true));
        }

        try
        {
            var calls = 0;
            async ValueTask<string> Factory(CancellationToken ct)
            {
                Interlocked.Increment(ref calls);
                await Task.Delay(200, ct); // a slow report query
                return "report";
            }

            var callers = instances
                .SelectMany(instance => Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
                    await instance.Cache.GetOrSetAsync("shop:9:report", Factory, TenMinutes, scope: "shop:9"))))
                .ToArray();
            var results = await Task.WhenAll(callers);

            Assert.All(results, r => Assert.Equal("report", r));
            Assert.Equal(1, calls);
            Assert.All(instances, i => Assert.Equal(0, ((Commerce.Caching.Internal.DefaultCommerceCache)i.Cache).LeaseWaiters)); // nothing left behind
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task RemoveByTag_InvalidatesTaggedEntriesOnEveryInstance()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await using var b = await InstanceAsync(prefix);
        HybridCache hybridA = a.Cache;
        HybridCache hybridB = b.Cache;
        await hybridA.GetOrCreateAsync("product:1", _ => ValueTask.FromResult("old"), tags: ["products"]);
        Assert.Equal("old", await hybridB.GetOrCreateAsync("product:1", _ => ValueTask.FromResult("unexpected"), tags: ["products"]));

        await hybridA.RemoveByTagAsync("products");

        await using var fresh = await InstanceAsync(prefix);
        Assert.Equal("new", await ((HybridCache)fresh.Cache).GetOrCreateAsync("product:1", _ => ValueTask.FromResult("new"), tags: ["products"]));
        await Eventually.TrueAsync(async () =>
            await hybridB.GetOrCreateAsync("product:1", _ => ValueTask.FromResult("new"), tags: ["products"]) == "new");
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task TaggedEntry_ReadByAnInstanceThatNeverSawTheTag_IsCheckedAgainstTheTagsGeneration()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await a.Cache.SetAsync("p", "old", new CommerceCacheEntryOptions { Tags = ["catalog"] });
        await a.Cache.RemoveByTagAsync("catalog");

        await using var b = await InstanceAsync(prefix);
        Assert.False((await b.Cache.TryGetAsync<string>("p")).HasValue);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task RemoveAllTag_InvalidatesEverythingOnEveryInstance()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await a.Cache.SetAsync("x", 1, TenMinutes);
        await a.Cache.SetAsync("y", 2, TenMinutes, scope: "shop:1");

        await a.Cache.RemoveByTagAsync("*");

        await using var b = await InstanceAsync(prefix);
        Assert.False((await a.Cache.TryGetAsync<int>("x")).HasValue);
        Assert.False((await b.Cache.TryGetAsync<int>("x")).HasValue);
        Assert.False((await b.Cache.TryGetAsync<int>("y", "shop:1")).HasValue);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task RemoveKey_RemovesItFromRedisAndFromOtherInstancesMemory()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await using var b = await InstanceAsync(prefix);
        await a.Cache.SetAsync("k", "v", TenMinutes, scope: "shop:4");
        Assert.True((await b.Cache.TryGetAsync<string>("k", "shop:4")).HasValue);

        await a.Cache.RemoveAsync("k", "shop:4");

        // Redis keeps a tombstone (the remove's version, no value), so a load that started before cannot fill it again.
        var raw = (byte[])(await redis.Database.StringGetAsync($"{prefix}:{{shop:4}}:v:k"))!;
        Assert.DoesNotContain((byte)'v', raw.AsSpan(raw.Length - 1).ToArray());
        Assert.Equal(2, raw[1] & 2);
        await using var fresh = await InstanceAsync(prefix);
        Assert.False((await fresh.Cache.TryGetAsync<string>("k", "shop:4")).HasValue);
        await Eventually.TrueAsync(async () => !(await b.Cache.TryGetAsync<string>("k", "shop:4")).HasValue);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task Duration_IsLogicalTime_SoAFakeClockExpiresTheRedisEntry()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix, time);
        var factory = new CountingFactory();
        var oneMinute = new CommerceCacheEntryOptions { Duration = TimeSpan.FromMinutes(1) };

        await a.Cache.GetOrSetAsync("k", factory.Next, oneMinute);
        time.Advance(TimeSpan.FromSeconds(59));
        await using (var b = await InstanceAsync(prefix, time))
        {
            Assert.Equal("value-1", await b.Cache.GetOrSetAsync("k", factory.Next, oneMinute));
        }

        time.Advance(TimeSpan.FromSeconds(2));
        await using var c = await InstanceAsync(prefix, time);
        Assert.Equal("value-2", await c.Cache.GetOrSetAsync("k", factory.Next, oneMinute));
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task RedisTtl_CoversDurationPlusFailSafeRetention()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await a.Cache.SetAsync("plain", 1, new CommerceCacheEntryOptions { Duration = TimeSpan.FromMinutes(5) });
        await a.Cache.SetAsync("safe", 1, new CommerceCacheEntryOptions { Duration = TimeSpan.FromMinutes(5), FailSafe = true, FailSafeMaxDuration = TimeSpan.FromHours(1) });

        var plain = await redis.Database.KeyTimeToLiveAsync($"{prefix}:u:{{plain}}:v");
        var safe = await redis.Database.KeyTimeToLiveAsync($"{prefix}:u:{{safe}}:v");

        Assert.InRange(plain!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        Assert.InRange(safe!.Value, TimeSpan.FromMinutes(64), TimeSpan.FromMinutes(65));
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task ScopeGenerationKeyLost_OldEntriesOfTheScopeAreNeverServedAgain()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await a.Cache.SetAsync("k", "old", TenMinutes, scope: "shop:5");
        await a.Cache.InvalidateScopeAsync("shop:5");
        await a.Cache.SetAsync("k", "before-loss", TenMinutes, scope: "shop:5");

        // e.g. evicted under an allkeys-* policy, or deleted by hand
        await redis.Database.KeyDeleteAsync($"{prefix}:{{shop:5}}:g");

        await using var b = await InstanceAsync(prefix);
        Assert.False((await b.Cache.TryGetAsync<string>("k", "shop:5")).HasValue);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task ScopeInvalidation_TouchesOneKey_WhateverTheNumberOfEntries()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        for (var i = 0; i < 1_000; i++)
        {
            await a.Cache.SetAsync($"shop:6:report:{i}", i, TenMinutes, scope: "shop:6");
        }

        var generationKey = (RedisKey)$"{prefix}:{{shop:6}}:g";
        var before = (long)await redis.Database.StringGetAsync(generationKey);
        await a.Cache.InvalidateScopeAsync("shop:6");

        Assert.Equal(before + 1, (long)await redis.Database.StringGetAsync(generationKey));
        Assert.Equal(1_000, (await Task.WhenAll(Enumerable.Range(0, 1_000).Select(i => redis.Database.KeyExistsAsync($"{prefix}:{{shop:6}}:v:shop:6:report:{i}")))).Count(e => e));
        await using var b = await InstanceAsync(prefix);
        Assert.False((await b.Cache.TryGetAsync<int>("shop:6:report:500", "shop:6")).HasValue);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task GetOrSetMany_SecondInstance_GetsEveryKeyFromRedis()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await using var b = await InstanceAsync(prefix);
        var keys = Enumerable.Range(0, 50).Select(i => $"p{i}").ToArray();
        static ValueTask<IReadOnlyDictionary<string, int>> Compute(IReadOnlyList<string> missing, CancellationToken ct) =>
            ValueTask.FromResult<IReadOnlyDictionary<string, int>>(missing.ToDictionary(k => k, k => int.Parse(k[1..])));

        await a.Cache.GetOrSetManyAsync<int>(keys, Compute, TenMinutes, scope: "shop:8");
        var calledOnB = false;
        var values = await b.Cache.GetOrSetManyAsync<int>(
            keys,
            (missing, ct) =>
            {
                calledOnB = true;
                return Compute(missing, ct);
            },
            TenMinutes,
            scope: "shop:8");

        Assert.False(calledOnB);
        Assert.Equal(50, values.Count);
        Assert.Equal(49, values["p49"]);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task ComplexValues_RoundTripThroughRedisAsJson()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await using var b = await InstanceAsync(prefix);
        var report = new SalesReport("shop:1", [new SalesPoint(new DateOnly(2026, 11, 1), 1234.56m, 7)]);

        await a.Cache.SetAsync("report", report, TenMinutes, scope: "shop:1");
        var read = await b.Cache.TryGetAsync<SalesReport>("report", "shop:1");

        Assert.Equal(report.Shop, read.Value.Shop);
        Assert.Equal(report.Points, read.Value.Points);
    }

    public sealed record SalesReport(string Shop, IReadOnlyList<SalesPoint> Points);

    public sealed record SalesPoint(DateOnly Day, decimal Revenue, int Orders);
}
