using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Commerce.Caching.Tests;

/// <summary>Behaviour of the memory level alone (no Redis configured); time is a FakeTimeProvider.</summary>
public sealed class MemoryOnlyTests
{
    private static readonly CommerceCacheEntryOptions TenMinutes = new() { Duration = TimeSpan.FromMinutes(10) };

    [Fact]
    public async Task GetOrSet_SecondCall_ReturnsCachedValueWithoutCallingFactory()
    {
        await using var harness = await CacheHarness.MemoryAsync(new FakeTimeProvider());
        var factory = new CountingFactory();

        var first = await harness.Cache.GetOrSetAsync("k", factory.Next, TenMinutes);
        var second = await harness.Cache.GetOrSetAsync("k", factory.Next, TenMinutes);

        Assert.Equal("value-1", first);
        Assert.Equal("value-1", second);
        Assert.Equal(1, factory.Calls);
    }

    [Fact]
    public async Task GetOrSet_AfterDurationPasses_CallsFactoryAgain()
    {
        var time = new FakeTimeProvider();
        await using var harness = await CacheHarness.MemoryAsync(time);
        var factory = new CountingFactory();

        await harness.Cache.GetOrSetAsync("k", factory.Next, TenMinutes);
        time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal("value-1", await harness.Cache.GetOrSetAsync("k", factory.Next, TenMinutes));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("value-2", await harness.Cache.GetOrSetAsync("k", factory.Next, TenMinutes));
    }

    [Fact]
    public async Task InvalidateScope_InvalidatesOnlyEntriesOfThatScope()
    {
        await using var harness = await CacheHarness.MemoryAsync(new FakeTimeProvider());
        var shop1 = new CountingFactory();
        var shop2 = new CountingFactory();
        await harness.Cache.GetOrSetAsync("shop:1:sales", shop1.Next, TenMinutes, scope: "shop:1");
        await harness.Cache.GetOrSetAsync("shop:2:sales", shop2.Next, TenMinutes, scope: "shop:2");

        await harness.Cache.InvalidateScopeAsync("shop:1");

        Assert.Equal("value-2", await harness.Cache.GetOrSetAsync("shop:1:sales", shop1.Next, TenMinutes, scope: "shop:1"));
        Assert.Equal("value-1", await harness.Cache.GetOrSetAsync("shop:2:sales", shop2.Next, TenMinutes, scope: "shop:2"));
    }

    [Fact]
    public async Task RemoveByTag_InvalidatesTaggedEntries_AndStarInvalidatesEverything()
    {
        await using var harness = await CacheHarness.MemoryAsync(new FakeTimeProvider());
        HybridCache hybrid = harness.Cache;
        var reports = new CountingFactory();
        var other = new CountingFactory();
        await hybrid.GetOrCreateAsync("a", reports.Next, tags: ["reports"]);
        await hybrid.GetOrCreateAsync("b", other.Next, tags: ["other"]);

        await hybrid.RemoveByTagAsync("reports");
        Assert.Equal("value-2", await hybrid.GetOrCreateAsync("a", reports.Next, tags: ["reports"]));
        Assert.Equal("value-1", await hybrid.GetOrCreateAsync("b", other.Next, tags: ["other"]));

        await hybrid.RemoveByTagAsync("*");
        Assert.Equal("value-3", await hybrid.GetOrCreateAsync("a", reports.Next, tags: ["reports"]));
        Assert.Equal("value-2", await hybrid.GetOrCreateAsync("b", other.Next, tags: ["other"]));
    }

    [Fact]
    public async Task GetOrSet_ManyParallelMissesOfOneKey_RunFactoryOnce()
    {
        await using var harness = await CacheHarness.MemoryAsync();
        var calls = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async ValueTask<int> Factory(CancellationToken ct)
        {
            Interlocked.Increment(ref calls);
            await release.Task;
            return 42;
        }

        var callers = Enumerable.Range(0, 500)
            .Select(_ => Task.Run(async () => await harness.Cache.GetOrSetAsync("hot", Factory)))
            .ToArray();
        await Task.Delay(100);
        release.SetResult();
        var results = await Task.WhenAll(callers);

        Assert.All(results, r => Assert.Equal(42, r));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task GetOrSet_OneWaiterCancels_OthersStillGetTheValue()
    {
        await using var harness = await CacheHarness.MemoryAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var factoryToken = CancellationToken.None;
        async ValueTask<string> Factory(CancellationToken ct)
        {
            factoryToken = ct;
            await release.Task.WaitAsync(ct);
            return "done";
        }

        using var cancelFirst = new CancellationTokenSource();
        var first = harness.Cache.GetOrSetAsync("k", Factory, cancellationToken: cancelFirst.Token).AsTask();
        var second = harness.Cache.GetOrSetAsync("k", Factory).AsTask();
        await cancelFirst.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.False(factoryToken.IsCancellationRequested);
        release.SetResult();
        Assert.Equal("done", await second);
    }

    [Fact]
    public async Task GetOrSet_EveryWaiterCancels_CancelsTheFactory()
    {
        await using var harness = await CacheHarness.MemoryAsync();
        var factoryCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async ValueTask<string> Factory(CancellationToken ct)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
                return "never";
            }
            catch (OperationCanceledException)
            {
                factoryCancelled.TrySetResult();
                throw;
            }
        }

        using var cancel = new CancellationTokenSource();
        var a = harness.Cache.GetOrSetAsync("k", Factory, cancellationToken: cancel.Token).AsTask();
        var b = harness.Cache.GetOrSetAsync("k", Factory, cancellationToken: cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => a);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => b);
        await factoryCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task GetOrSet_FactoryThrows_ExceptionReachesCaller_AndNothingIsCached()
    {
        await using var harness = await CacheHarness.MemoryAsync(new FakeTimeProvider());
        var attempt = 0;
        ValueTask<string> Factory(CancellationToken ct) =>
            ++attempt == 1 ? throw new InvalidOperationException("database down") : ValueTask.FromResult("ok");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await harness.Cache.GetOrSetAsync("k", Factory));
        Assert.Equal("database down", error.Message);
        Assert.Equal("ok", await harness.Cache.GetOrSetAsync("k", Factory));
    }

    [Fact]
    public async Task FailSafe_FactoryFailsAfterExpiry_ServesLastGoodValue_ThenRetriesAfterThrottle()
    {
        var time = new FakeTimeProvider();
        await using var harness = await CacheHarness.MemoryAsync(time, o => o.FailSafeThrottleDuration = TimeSpan.FromSeconds(30));
        var failSafe = new CommerceCacheEntryOptions { Duration = TimeSpan.FromMinutes(1), FailSafe = true, FailSafeMaxDuration = TimeSpan.FromHours(1) };
        var failing = false;
        var calls = 0;
        ValueTask<string> Factory(CancellationToken ct)
        {
            calls++;
            return failing ? throw new TimeoutException("database timeout") : ValueTask.FromResult($"v{calls}");
        }

        Assert.Equal("v1", await harness.Cache.GetOrSetAsync("k", Factory, failSafe));
        time.Advance(TimeSpan.FromMinutes(2));
        failing = true;

        Assert.Equal("v1", await harness.Cache.GetOrSetAsync("k", Factory, failSafe));
        Assert.Equal(2, calls);
        Assert.Equal("v1", await harness.Cache.GetOrSetAsync("k", Factory, failSafe));
        Assert.Equal(2, calls); // throttled: the failing factory is not hammered

        time.Advance(TimeSpan.FromSeconds(31));
        failing = false;
        Assert.Equal("v3", await harness.Cache.GetOrSetAsync("k", Factory, failSafe));
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task FailSafe_ServesAStaleValueOnlyWithinTheReadersOwnFailSafeMaxDuration()
    {
        var time = new FakeTimeProvider();
        await using var harness = await CacheHarness.MemoryAsync(time);
        var writer = new CommerceCacheEntryOptions { Duration = TimeSpan.FromMinutes(1), FailSafe = true, FailSafeMaxDuration = TimeSpan.FromHours(2) };
        var reader = new CommerceCacheEntryOptions { Duration = TimeSpan.FromMinutes(1), FailSafe = true, FailSafeMaxDuration = TimeSpan.FromMinutes(10) };
        await harness.Cache.SetAsync("k", "v1", writer);
        time.Advance(TimeSpan.FromHours(1));   // within the writer's two hours, long past the reader's ten minutes

        await Assert.ThrowsAsync<TimeoutException>(async () =>
            await harness.Cache.GetOrSetAsync<string>("k", _ => throw new TimeoutException("database timeout"), reader));
        Assert.Equal("v1", await harness.Cache.GetOrSetAsync<string>("k", _ => throw new TimeoutException(), writer));
    }

    [Fact]
    public async Task FailSafe_Throttle_NeverServesAStaleValuePastTheFailSafeMaxDuration()
    {
        var time = new FakeTimeProvider();
        await using var harness = await CacheHarness.MemoryAsync(time, o => o.FailSafeThrottleDuration = TimeSpan.FromSeconds(30));
        var options = new CommerceCacheEntryOptions { Duration = TimeSpan.FromMinutes(1), FailSafe = true, FailSafeMaxDuration = TimeSpan.FromMinutes(5) };
        var calls = 0;
        ValueTask<string> Failing(CancellationToken ct) => ++calls > 0 ? throw new TimeoutException("database timeout") : default;
        await harness.Cache.GetOrSetAsync("k", _ => ValueTask.FromResult("v1"), options);

        time.Advance(TimeSpan.FromSeconds(350));   // 5m50s: 10 s of fail-safe left
        Assert.Equal("v1", await harness.Cache.GetOrSetAsync("k", Failing, options));
        time.Advance(TimeSpan.FromSeconds(20));    // 6m10s: inside the throttle, past the maximum

        await Assert.ThrowsAsync<TimeoutException>(async () => await harness.Cache.GetOrSetAsync("k", Failing, options));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task WithoutFailSafe_FactoryFailsAfterExpiry_ExceptionReachesCaller()
    {
        var time = new FakeTimeProvider();
        await using var harness = await CacheHarness.MemoryAsync(time);
        var options = new CommerceCacheEntryOptions { Duration = TimeSpan.FromMinutes(1), FailSafe = false };
        await harness.Cache.GetOrSetAsync("k", _ => ValueTask.FromResult("v1"), options);
        time.Advance(TimeSpan.FromMinutes(2));

        await Assert.ThrowsAsync<TimeoutException>(async () =>
            await harness.Cache.GetOrSetAsync<string>("k", _ => throw new TimeoutException(), options));
    }

    [Fact]
    public async Task TryGet_ReturnsNoneOnMiss_AndTheValueOnHit()
    {
        await using var harness = await CacheHarness.MemoryAsync(new FakeTimeProvider());

        var miss = await harness.Cache.TryGetAsync<string>("k");
        await harness.Cache.SetAsync("k", "v", TenMinutes);
        var hit = await harness.Cache.TryGetAsync<string>("k");

        Assert.False(miss.HasValue);
        Assert.Throws<InvalidOperationException>(() => miss.Value);
        Assert.True(hit.HasValue);
        Assert.Equal("v", hit.Value);
    }

    [Fact]
    public async Task GetOrSetMany_CallsFactoryOnceWithOnlyTheMissingKeys()
    {
        await using var harness = await CacheHarness.MemoryAsync(new FakeTimeProvider());
        await harness.Cache.SetAsync("p1", 10, TenMinutes);
        var asked = new ConcurrentBag<IReadOnlyList<string>>();

        var values = await harness.Cache.GetOrSetManyAsync<int>(
            ["p1", "p2", "p3"],
            (missing, _) =>
            {
                asked.Add(missing);
                return ValueTask.FromResult<IReadOnlyDictionary<string, int>>(missing.ToDictionary(k => k, k => int.Parse(k[1..]) * 10));
            },
            TenMinutes);

        Assert.Equal(new Dictionary<string, int> { ["p1"] = 10, ["p2"] = 20, ["p3"] = 30 }, values);
        var call = Assert.Single(asked);
        Assert.Equal(["p2", "p3"], call.Order());
        Assert.Equal(20, (await harness.Cache.TryGetAsync<int>("p2")).Value);
    }

    [Fact]
    public async Task GetOrSetMany_KeyLeftOutByFactory_IsAbsentAndNotCached()
    {
        await using var harness = await CacheHarness.MemoryAsync(new FakeTimeProvider());
        var values = await harness.Cache.GetOrSetManyAsync<int>(
            ["known", "unknown"],
            (_, _) => ValueTask.FromResult<IReadOnlyDictionary<string, int>>(new Dictionary<string, int> { ["known"] = 1 }));

        Assert.Equal(["known"], values.Keys);
        Assert.False((await harness.Cache.TryGetAsync<int>("unknown")).HasValue);
    }

    [Fact]
    public async Task MemoryHit_AllocatesNothing()
    {
        await using var harness = await CacheHarness.MemoryAsync();
        var cache = harness.Cache;
        Func<CancellationToken, ValueTask<string>> factory = _ => ValueTask.FromResult("v");
        await cache.GetOrSetAsync("k", factory, TenMinutes, scope: "shop:1");
        for (var i = 0; i < 100; i++)
        {
            await cache.GetOrSetAsync("k", factory, TenMinutes, scope: "shop:1"); // warm up (JIT, tiering)
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            var value = cache.GetOrSetAsync("k", factory, TenMinutes, scope: "shop:1");
            Assert.True(value.IsCompletedSuccessfully);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task MemoryLevel_BeyondMaxLocalEntries_EvictsLeastRecentlyUsed()
    {
        await using var harness = await CacheHarness.MemoryAsync(configure: o => o.MaxLocalEntries = 100);
        for (var i = 0; i < 1_000; i++)
        {
            await harness.Cache.SetAsync($"k{i}", i, TenMinutes);
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (harness.Cache.Status.LocalEntries > 100 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.InRange(harness.Cache.Status.LocalEntries, 1, 100);
        Assert.True((await harness.Cache.TryGetAsync<int>("k999")).HasValue); // the newest survive
    }

    [Theory]
    [InlineData("")]
    [InlineData("shop:{1}")]
    [InlineData("a}b")]
    public async Task Scope_Malformed_IsRejected(string scope)
    {
        await using var harness = await CacheHarness.MemoryAsync();
        await Assert.ThrowsAsync<ArgumentException>(async () => await harness.Cache.GetOrSetAsync("k", _ => ValueTask.FromResult(1), scope: scope));
        await Assert.ThrowsAsync<ArgumentException>(async () => await harness.Cache.InvalidateScopeAsync(scope));
    }

    [Fact]
    public async Task ReservedTag_IsRejected()
    {
        await using var harness = await CacheHarness.MemoryAsync();
        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await harness.Cache.GetOrSetAsync("k", _ => ValueTask.FromResult(1), new CommerceCacheEntryOptions { Tags = ["*"] }));
    }

    [Fact]
    public async Task Registration_ResolvesAsHybridCache_AndWorksThroughIt()
    {
        await using var harness = await CacheHarness.MemoryAsync();
        var hybrid = harness.Services.GetRequiredService<HybridCache>();

        Assert.Same(harness.Cache, hybrid);
        Assert.Equal(7, await hybrid.GetOrCreateAsync("h", _ => ValueTask.FromResult(7)));
        await hybrid.SetAsync("h", 8);
        Assert.Equal(8, await hybrid.GetOrCreateAsync("h", _ => ValueTask.FromResult(9)));
        await hybrid.RemoveAsync("h");
        Assert.Equal(9, await hybrid.GetOrCreateAsync("h", _ => ValueTask.FromResult(9)));
    }

    [Fact]
    public async Task Registration_UserRegisteredTimeProviderIsKept()
    {
        var time = new FakeTimeProvider();
        await using var harness = await CacheHarness.MemoryAsync(time);
        Assert.Same(time, harness.Services.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public async Task Options_Invalid_FailHostStartNamingTheSetting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddCommerceCaching(o =>
        {
            o.RedisTimeout = TimeSpan.Zero;
            o.KeyPrefix = "bad{prefix}";
            o.HeartbeatInterval = TimeSpan.FromSeconds(5);
            o.HeartbeatTimeout = TimeSpan.FromSeconds(1);
        });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("RedisTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("HeartbeatTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("KeyPrefix must not be empty nor contain '{' or '}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_CountMemoryHitsAndMisses()
    {
        await using var harness = await CacheHarness.MemoryAsync();
        var meterFactory = harness.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var hits = new MetricCollector<long>(meterFactory, CommerceCachingDiagnostics.MeterName, "commerce.caching.hits");
        using var misses = new MetricCollector<long>(meterFactory, CommerceCachingDiagnostics.MeterName, "commerce.caching.misses");

        await harness.Cache.GetOrSetAsync("m", _ => ValueTask.FromResult(1));
        await harness.Cache.GetOrSetAsync("m", _ => ValueTask.FromResult(1));
        await harness.Cache.GetOrSetAsync("m", _ => ValueTask.FromResult(1));

        Assert.Equal(1, misses.GetMeasurementSnapshot().EvaluateAsCounter());
        var memoryHits = hits.GetMeasurementSnapshot().Where(m => Equals(m.Tags["level"], "memory")).Sum(m => m.Value);
        Assert.Equal(2, memoryHits);
    }
}
