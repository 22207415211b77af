using Microsoft.Extensions.Caching.Hybrid;

namespace Commerce.Caching.Tests;

/// <summary>
/// Redis going away and coming back. The instance under test reaches Redis through a <see cref="TcpChaosProxy"/>
/// that refuses connections (Redis stopped) or holds traffic (Redis hung); a second instance talks to Redis directly.
/// </summary>
public sealed class RedisOutageTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly CommerceCacheEntryOptions TenMinutes = new() { Duration = TimeSpan.FromMinutes(10) };

    private static void FastFailure(CommerceCacheOptions o)
    {
        o.RedisTimeout = TimeSpan.FromMilliseconds(300);
        o.CircuitBreakerThreshold = 2;
        o.CircuitBreakerDuration = TimeSpan.FromMilliseconds(500);
        o.HeartbeatInterval = TimeSpan.FromMilliseconds(100);
        o.HeartbeatTimeout = TimeSpan.FromMilliseconds(300);
        o.InvalidationRetryInterval = TimeSpan.FromMilliseconds(100);
        o.DisconnectedLocalDuration = TimeSpan.FromSeconds(1);
    }

    private Task<CacheHarness> ThroughAsync(TcpChaosProxy proxy, string prefix, Action<CommerceCacheOptions>? configure = null) =>
        CacheHarness.CreateAsync($"{proxy.EndPoint},connectTimeout=1000,connectRetry=1", prefix, configure: o =>
        {
            FastFailure(o);
            configure?.Invoke(o);
        });

    private Task<CacheHarness> DirectAsync(string prefix) => CacheHarness.CreateAsync(redis.ConnectionString, prefix, configure: FastFailure);

    [IntegrationFact(TestServer.Redis)]
    public async Task RedisStopped_ReadsFallBackToTheFactory_AndTheBreakerOpens()
    {
        await using var proxy = TcpChaosProxy.Start(redis.EndPoint);
        await using var cache = await ThroughAsync(proxy, TestNames.Unique());
        Assert.True(cache.Cache.Status.RedisAvailable);

        proxy.Refuse();
        var values = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            values.Add(await cache.Cache.GetOrSetAsync($"k{i}", _ => ValueTask.FromResult("from-database"), TenMinutes).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        }

        Assert.All(values, v => Assert.Equal("from-database", v));
        Assert.False(cache.Cache.Status.RedisAvailable);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task RedisHung_ReadIsBoundedByRedisTimeout_AndFallsBackToTheFactory()
    {
        await using var proxy = TcpChaosProxy.Start(redis.EndPoint);
        await using var cache = await ThroughAsync(proxy, TestNames.Unique());

        proxy.Hang();
        // Without the bound this read would wait for Redis forever; the guard below only stops a hung test.
        var value = await cache.Cache.GetOrSetAsync("k", _ => ValueTask.FromResult("from-database"), TenMinutes).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("from-database", value);
        proxy.Restore();
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task RedisStopped_FactoryFailing_FailSafeServesTheLastGoodValue()
    {
        var prefix = TestNames.Unique();
        await using var proxy = TcpChaosProxy.Start(redis.EndPoint);
        await using var cache = await ThroughAsync(proxy, prefix);
        var failSafe = new CommerceCacheEntryOptions { Duration = TimeSpan.FromMilliseconds(200), FailSafe = true };
        await cache.Cache.GetOrSetAsync("report", _ => ValueTask.FromResult("last-good"), failSafe);
        await Task.Delay(300); // the entry expires

        proxy.Refuse();
        var value = await cache.Cache.GetOrSetAsync<string>("report", _ => throw new TimeoutException("database down too"), failSafe);

        Assert.Equal("last-good", value);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task InvalidationWhileRedisIsDown_AppliesLocallyAtOnce_AndReachesOtherInstancesWhenRedisReturns()
    {
        var prefix = TestNames.Unique();
        await using var proxy = TcpChaosProxy.Start(redis.EndPoint);
        await using var cut = await ThroughAsync(proxy, prefix);
        await using var other = await DirectAsync(prefix);
        await other.Cache.SetAsync("shop:1:sales", "old", TenMinutes, scope: "shop:1");
        Assert.Equal("old", (await cut.Cache.TryGetAsync<string>("shop:1:sales", "shop:1")).Value);

        proxy.Refuse();
        await cut.Cache.InvalidateScopeAsync("shop:1"); // does not throw

        Assert.Equal(1, cut.Cache.Status.PendingInvalidations);
        Assert.Equal("new", await cut.Cache.GetOrSetAsync("shop:1:sales", _ => ValueTask.FromResult("new"), TenMinutes, scope: "shop:1"));
        Assert.True((await other.Cache.TryGetAsync<string>("shop:1:sales", "shop:1")).HasValue); // not told yet

        proxy.Restore();
        await Eventually.TrueAsync(() => cut.Cache.Status.PendingInvalidations == 0, because: "the queued invalidation is sent when Redis returns");
        await Eventually.TrueAsync(async () => !(await other.Cache.TryGetAsync<string>("shop:1:sales", "shop:1")).HasValue);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task RedisReturns_TheCacheRecoversByItself()
    {
        var prefix = TestNames.Unique();
        await using var proxy = TcpChaosProxy.Start(redis.EndPoint);
        await using var cut = await ThroughAsync(proxy, prefix);
        await using var other = await DirectAsync(prefix);

        proxy.Refuse();
        await cut.Cache.GetOrSetAsync("during", _ => ValueTask.FromResult(1), TenMinutes);
        Assert.False(cut.Cache.Status.RedisAvailable);

        proxy.Restore();
        await Eventually.TrueAsync(async () =>
        {
            await cut.Cache.SetAsync("after", 2, TenMinutes);
            return (await other.Cache.TryGetAsync<int>("after")).HasValue;
        });
        Assert.True(cut.Cache.Status.RedisAvailable);
        await Eventually.TrueAsync(() => cut.Cache.Status.InvalidationChannelHealthy);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task InstanceThatMissesAnInvalidation_StopsServingItsOldEntryOnceTheStalenessBoundPasses()
    {
        var prefix = TestNames.Unique();
        await using var proxy = TcpChaosProxy.Start(redis.EndPoint);
        await using var cut = await ThroughAsync(proxy, prefix, o => o.DisconnectedMaxStaleness = TimeSpan.FromMilliseconds(500));
        await using var other = await DirectAsync(prefix);
        await cut.Cache.SetAsync("shop:2:sales", "old", TenMinutes, scope: "shop:2");
        await Eventually.TrueAsync(() => cut.Cache.Status.InvalidationChannelHealthy);

        // A partition: cut's connections stay open but nothing passes, so it cannot hear the invalidation.
        proxy.Hang();
        await other.Cache.InvalidateScopeAsync("shop:2");

        // The channel is declared lost within HeartbeatInterval + HeartbeatTimeout; the memory entry is served at most
        // DisconnectedMaxStaleness after the last heartbeat heard, then the factory answers.
        await Eventually.TrueAsync(() => !cut.Cache.Status.InvalidationChannelHealthy);
        await Eventually.TrueAsync(async () =>
            await cut.Cache.GetOrSetAsync("shop:2:sales", _ => ValueTask.FromResult("from-database"), TenMinutes, scope: "shop:2") == "from-database");

        proxy.Restore();
        await Eventually.TrueAsync(() => cut.Cache.Status.InvalidationChannelHealthy);
        // What the hung connection still held (a write stamped with the old generation) lands now and is rejected.
        var after = await cut.Cache.TryGetAsync<string>("shop:2:sales", "shop:2");
        Assert.NotEqual("old", after.GetValueOrDefault("none"));
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task RedisDownAtStart_CacheStillServes_AndUsesRedisOnceItIsUp()
    {
        var prefix = TestNames.Unique();
        await using var proxy = TcpChaosProxy.Start(redis.EndPoint);
        proxy.Refuse();
        await using var cut = await ThroughAsync(proxy, prefix);

        Assert.Equal(1, await cut.Cache.GetOrSetAsync("k", _ => ValueTask.FromResult(1), TenMinutes));

        proxy.Restore();
        await using var other = await DirectAsync(prefix);
        await Eventually.TrueAsync(async () =>
        {
            await cut.Cache.SetAsync("later", 5, TenMinutes);
            return (await other.Cache.TryGetAsync<int>("later")).HasValue;
        });
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task RedisUnreachable_MemoryEntriesKeepBeingServed_WithoutCallingTheFactory()
    {
        var prefix = TestNames.Unique();
        await using var proxy = TcpChaosProxy.Start(redis.EndPoint);
        await using var cut = await ThroughAsync(proxy, prefix); // DisconnectedMaxStaleness: the default minute
        var factory = new CountingFactory();
        for (var i = 0; i < 20; i++)
        {
            await cut.Cache.GetOrSetAsync($"shop:1:report:{i}", factory.Next, TenMinutes, scope: "shop:1");
        }

        await Eventually.TrueAsync(() => cut.Cache.Status.InvalidationChannelHealthy);
        proxy.Refuse();
        await Eventually.TrueAsync(() => !cut.Cache.Status.InvalidationChannelHealthy);

        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 20; i++)
            {
                var value = await cut.Cache.GetOrSetAsync($"shop:1:report:{i}", factory.Next, TenMinutes, scope: "shop:1");
                Assert.Equal($"value-{i + 1}", value);
            }
        }

        Assert.Equal(20, factory.Calls); // no database storm during the outage
        proxy.Restore();
        await Eventually.TrueAsync(() => cut.Cache.Status.InvalidationChannelHealthy);
        Assert.Equal("value-1", await cut.Cache.GetOrSetAsync("shop:1:report:0", factory.Next, TenMinutes, scope: "shop:1"));
        Assert.Equal(20, factory.Calls); // after reconnect each entry is checked against Redis, which still holds it
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task SetWhileRedisIsDown_IsQueued_AndReachesEveryInstanceWhenRedisReturns()
    {
        var prefix = TestNames.Unique();
        await using var proxy = TcpChaosProxy.Start(redis.EndPoint);
        await using var cut = await ThroughAsync(proxy, prefix);
        await using var other = await DirectAsync(prefix);
        await other.Cache.GetOrSetAsync("price:7", _ => ValueTask.FromResult("old"), TenMinutes, scope: "shop:1");

        proxy.Refuse();
        await cut.Cache.SetAsync("price:7", "new", TenMinutes, scope: "shop:1"); // does not throw
        Assert.Equal("new", (await cut.Cache.TryGetAsync<string>("price:7", "shop:1")).Value);
        Assert.True(cut.Cache.Status.PendingInvalidations > 0);

        proxy.Restore();
        await Eventually.TrueAsync(async () => (await other.Cache.TryGetAsync<string>("price:7", "shop:1")).GetValueOrDefault("none") == "new");
        await using var fresh = await DirectAsync(prefix);
        Assert.Equal("new", (await fresh.Cache.TryGetAsync<string>("price:7", "shop:1")).Value);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task HybridCacheRemoveWhileRedisIsDown_OfAScopedEntryThisInstanceNeverHeld_ReachesEveryInstanceWhenRedisReturns()
    {
        var prefix = TestNames.Unique();
        await using var proxy = TcpChaosProxy.Start(redis.EndPoint);
        await using var cut = await ThroughAsync(proxy, prefix);
        await using var other = await DirectAsync(prefix);
        await other.Cache.SetAsync("shop:3:report", "cached", TenMinutes, scope: "shop:3");

        proxy.Refuse();
        await ((HybridCache)cut.Cache).RemoveAsync("shop:3:report");   // HybridCache's remove knows no scope
        Assert.True(cut.Cache.Status.PendingInvalidations > 0);

        proxy.Restore();
        await Eventually.TrueAsync(() => cut.Cache.Status.PendingInvalidations == 0, because: "the queued remove is sent when Redis returns");
        await Eventually.TrueAsync(async () => !(await other.Cache.TryGetAsync<string>("shop:3:report", "shop:3")).HasValue);
        await using var fresh = await DirectAsync(prefix);
        Assert.False((await fresh.Cache.TryGetAsync<string>("shop:3:report", "shop:3")).HasValue);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task CircuitBreaker_AfterACancelledHalfOpenProbe_RecoversWhenRedisAnswersAgain()
    {
        var prefix = TestNames.Unique();
        await using var proxy = TcpChaosProxy.Start(redis.EndPoint);
        await using var cut = await ThroughAsync(proxy, prefix);
        await using var other = await DirectAsync(prefix);

        // Redis hangs (no reconnect event will follow): reads time out until the breaker opens.
        proxy.Hang();
        await Eventually.TrueAsync(async () =>
        {
            await cut.Cache.GetOrSetAsync(Guid.NewGuid().ToString(), _ => ValueTask.FromResult(1), TenMinutes);
            return !cut.Cache.Status.RedisAvailable;
        });

        // Once the breaker's duration has passed, the next call probes Redis; its caller gives up first.
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        using (var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
                await cut.Cache.GetOrSetAsync("probe", async ct => { await Task.Delay(Timeout.Infinite, ct); return 0; }, TenMinutes, cancellationToken: impatient.Token));
        }

        proxy.Restore();
        await Eventually.TrueAsync(async () =>
        {
            await cut.Cache.SetAsync("after", 2, TenMinutes);
            return cut.Cache.Status.RedisAvailable && (await other.Cache.TryGetAsync<int>("after")).HasValue;
        }, because: "the breaker closes once Redis answers, without any reconnect event");
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task CancelledInvalidateScope_IsStillAppliedLocally_AndQueuedForTheOthers()
    {
        var prefix = TestNames.Unique();
        await using var proxy = TcpChaosProxy.Start(redis.EndPoint);
        await using var cut = await ThroughAsync(proxy, prefix);
        await using var other = await DirectAsync(prefix);
        await other.Cache.SetAsync("shop:4:sales", "old", TenMinutes, scope: "shop:4");
        Assert.Equal("old", (await cut.Cache.TryGetAsync<string>("shop:4:sales", "shop:4")).Value);
        Assert.Equal("old", (await other.Cache.TryGetAsync<string>("shop:4:sales", "shop:4")).Value);

        proxy.Hang(); // the invalidation's round trip never completes...
        using (var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cut.Cache.InvalidateScopeAsync("shop:4", impatient.Token));
        }

        // ...and the caller gave up, but this instance stops serving the scope's old entries at once,
        Assert.Equal("new", await cut.Cache.GetOrSetAsync("shop:4:sales", _ => ValueTask.FromResult("new"), TenMinutes, scope: "shop:4"));
        Assert.True(cut.Cache.Status.PendingInvalidations > 0);

        // and the others are told when Redis answers.
        proxy.Restore();
        await Eventually.TrueAsync(async () => (await other.Cache.TryGetAsync<string>("shop:4:sales", "shop:4")).GetValueOrDefault("none") != "old");
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task FailSafe_ValueFromRedis_IsNotServedPastFailSafeMaxDuration()
    {
        var prefix = TestNames.Unique();
        var writerClock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var readerClock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1));
        await using var writer = await CacheHarness.CreateAsync(redis.ConnectionString, prefix, writerClock);
        await using var reader = await CacheHarness.CreateAsync(redis.ConnectionString, prefix, readerClock);
        await writer.Cache.SetAsync("report", "an-hour-old", new CommerceCacheEntryOptions { Duration = TimeSpan.FromMinutes(1), FailSafe = true, FailSafeMaxDuration = TimeSpan.FromHours(2) });

        var tenMinutesOfFailSafe = new CommerceCacheEntryOptions { Duration = TimeSpan.FromMinutes(1), FailSafe = true, FailSafeMaxDuration = TimeSpan.FromMinutes(10) };
        await Assert.ThrowsAsync<TimeoutException>(async () =>
            await reader.Cache.GetOrSetAsync<string>("report", _ => throw new TimeoutException("database down"), tenMinutesOfFailSafe));

        var threeHoursOfFailSafe = new CommerceCacheEntryOptions { Duration = TimeSpan.FromMinutes(1), FailSafe = true, FailSafeMaxDuration = TimeSpan.FromHours(3) };
        Assert.Equal("an-hour-old", await reader.Cache.GetOrSetAsync<string>("report", _ => throw new TimeoutException("database down"), threeHoursOfFailSafe));
    }
}
