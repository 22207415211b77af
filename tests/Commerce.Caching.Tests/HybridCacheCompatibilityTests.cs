using System.ComponentModel;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Caching.Tests;

/// <summary>
/// Code written against Microsoft's HybridCache behaves the same on Commerce.Caching: serialization through Redis,
/// a copy per caller for mutable values, keys it can't use, payload size, and cancellation.
/// </summary>
public sealed class HybridCacheCompatibilityTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly CommerceCacheEntryOptions TenMinutes = new() { Duration = TimeSpan.FromMinutes(10) };

    private Task<CacheHarness> InstanceAsync(string prefix, Action<CommerceCacheOptions>? configure = null, Action<IServiceCollection>? services = null) =>
        CacheHarness.CreateAsync(redis.ConnectionString, prefix, configure: configure, services: services);

    // ------------------------------------------------------------------ serialization

    [IntegrationFact(TestServer.Redis)]
    public async Task ValueTuplesDictionariesAndFieldOnlyTypes_ReadBackEqualFromRedisOnAnotherInstance()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        await using var b = await InstanceAsync(prefix);

        await a.Cache.SetAsync("tuple", (42, "abc"), TenMinutes);
        await a.Cache.SetAsync("named", (Id: 7, Name: "seven"), TenMinutes);
        await a.Cache.SetAsync("list", new List<(int, string)> { (1, "one"), (2, "two") }, TenMinutes);
        await a.Cache.SetAsync("array", new[] { (3, "three") }, TenMinutes);
        await a.Cache.SetAsync("dictionary", new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 }, TenMinutes);
        await a.Cache.SetAsync("dictionary-of-tuples", new Dictionary<string, (int, string)> { ["x"] = (9, "nine") }, TenMinutes);
        await a.Cache.SetAsync("fields", new FieldsOnly { Count = 5, Name = "five" }, TenMinutes);

        Assert.Equal((42, "abc"), (await b.Cache.TryGetAsync<(int, string)>("tuple")).Value);
        Assert.Equal((7, "seven"), (await b.Cache.TryGetAsync<(int Id, string Name)>("named")).Value);
        Assert.Equal([(1, "one"), (2, "two")], (await b.Cache.TryGetAsync<List<(int, string)>>("list")).Value);
        Assert.Equal([(3, "three")], (await b.Cache.TryGetAsync<(int, string)[]>("array")).Value);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 }, (await b.Cache.TryGetAsync<Dictionary<string, int>>("dictionary")).Value);
        Assert.Equal(new Dictionary<string, (int, string)> { ["x"] = (9, "nine") }, (await b.Cache.TryGetAsync<Dictionary<string, (int, string)>>("dictionary-of-tuples")).Value);
        var fields = (await b.Cache.TryGetAsync<FieldsOnly>("fields")).Value;
        Assert.Equal((5, "five"), (fields.Count, fields.Name));
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task JsonOptionsRegisteredForHybridCache_AreUsedForRedis()
    {
        var prefix = TestNames.Unique();
        static void Snake(IServiceCollection s) =>
            s.AddKeyedSingleton<JsonSerializerOptions>(typeof(IHybridCacheSerializer<>), new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        await using var a = await InstanceAsync(prefix, services: Snake);
        await using var b = await InstanceAsync(prefix, services: Snake);

        await a.Cache.SetAsync("total", new OrderTotal(12.5m, "EUR"), TenMinutes);

        var raw = Encoding.UTF8.GetString((byte[])(await redis.Database.StringGetAsync($"{prefix}:u:{{total}}:v"))!);
        Assert.Contains("\"total_amount\":12.5", raw, StringComparison.Ordinal);
        Assert.Equal(new OrderTotal(12.5m, "EUR"), (await b.Cache.TryGetAsync<OrderTotal>("total")).Value);
    }

    // ------------------------------------------------------------------ mutable values

    [Fact]
    public async Task MutableValue_EachCallerGetsItsOwnInstance_FromMemory()
    {
        await using var harness = await CacheHarness.MemoryAsync();
        var first = await harness.Cache.GetOrSetAsync("cart", _ => ValueTask.FromResult(new List<int> { 1 }), TenMinutes);

        first.Add(2); // one caller changes its copy...
        var second = await harness.Cache.GetOrSetAsync("cart", _ => ValueTask.FromResult(new List<int> { 99 }), TenMinutes);

        Assert.Equal([1], second); // ...no other caller sees it
        Assert.NotSame(first, second);
        Assert.Equal([1], (await harness.Cache.TryGetAsync<List<int>>("cart")).Value);
    }

    [Fact]
    public async Task MutableValue_ConcurrentCallersOfOneLoad_EachGetTheirOwnInstance()
    {
        await using var harness = await CacheHarness.MemoryAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        async ValueTask<List<int>> Factory(CancellationToken ct)
        {
            Interlocked.Increment(ref calls);
            await release.Task;
            return [1, 2, 3];
        }

        var callers = Enumerable.Range(0, 20).Select(_ => harness.Cache.GetOrSetAsync("k", Factory, TenMinutes).AsTask()).ToArray();
        release.SetResult();
        var results = await Task.WhenAll(callers);

        Assert.Equal(1, calls);
        Assert.All(results, r => Assert.Equal([1, 2, 3], r));
        Assert.Equal(results.Length, results.Distinct(ReferenceEqualityComparer.Instance).Count());
    }

    [Fact]
    public async Task ImmutableValue_IsSharedBetweenCallers()
    {
        await using var harness = await CacheHarness.MemoryAsync();
        var first = await harness.Cache.GetOrSetAsync("report", _ => ValueTask.FromResult(new FrozenReport(1)), TenMinutes);
        var second = await harness.Cache.GetOrSetAsync("report", _ => ValueTask.FromResult(new FrozenReport(2)), TenMinutes);
        var text = await harness.Cache.GetOrSetAsync("text", _ => ValueTask.FromResult(new string('x', 10)), TenMinutes);

        Assert.Same(first, second);
        Assert.Same(text, await harness.Cache.GetOrSetAsync("text", _ => ValueTask.FromResult("other"), TenMinutes));
    }

    // ------------------------------------------------------------------ keys and payloads

    public static TheoryData<string?> UnusableKeys => new() { null, "", "   ", "line\nbreak", "nul\0", new string('k', 1025) };

    [IntegrationTheory(TestServer.Redis)]
    [MemberData(nameof(UnusableKeys))]
    public async Task UnusableKey_BypassesTheCache_ReturnsTheFactorysValue_AndWritesNothingToRedis(string? key)
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix);
        var factory = new CountingFactory();

        var first = await a.Cache.GetOrSetAsync(key!, factory.Next, TenMinutes);
        var second = await ((HybridCache)a.Cache).GetOrCreateAsync(key!, factory.Next);
        await a.Cache.SetAsync(key!, "set", TenMinutes);
        await a.Cache.RemoveAsync(key!);

        Assert.Equal(("value-1", "value-2"), (first, second));
        Assert.False((await a.Cache.TryGetAsync<string>(key!)).HasValue);
        var server = redis.Connection.GetServer(redis.EndPoint);
        Assert.Empty(server.Keys(pattern: $"{prefix}:u:*"));
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task ValueLargerThanMaximumPayloadBytes_IsReturnedButCachedNowhere()
    {
        var prefix = TestNames.Unique();
        await using var a = await InstanceAsync(prefix); // default MaximumPayloadBytes: 1 MiB, as HybridCache
        var calls = 0;
        ValueTask<string> Large(CancellationToken ct) => ValueTask.FromResult(new string('x', 2 * 1024 * 1024) + Interlocked.Increment(ref calls));

        var first = await a.Cache.GetOrSetAsync("large", Large, TenMinutes);
        var second = await a.Cache.GetOrSetAsync("large", Large, TenMinutes);

        Assert.EndsWith("1", first, StringComparison.Ordinal);
        Assert.EndsWith("2", second, StringComparison.Ordinal);
        Assert.False(await redis.Database.KeyExistsAsync($"{prefix}:u:{{large}}:v"));
    }

    // ------------------------------------------------------------------ cancellation

    [Fact]
    public async Task AlreadyCancelledCall_ThrowsExactlyOperationCanceledException()
    {
        await using var harness = await CacheHarness.MemoryAsync();
        await harness.Cache.GetOrSetAsync("cached", _ => ValueTask.FromResult(1), TenMinutes);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAsync<OperationCanceledException>(async () => await harness.Cache.GetOrSetAsync("missing", _ => ValueTask.FromResult(1), TenMinutes, cancellationToken: cancelled.Token));
        await Assert.ThrowsAsync<OperationCanceledException>(async () => await harness.Cache.GetOrSetAsync("cached", _ => ValueTask.FromResult(1), TenMinutes, cancellationToken: cancelled.Token));
        await Assert.ThrowsAsync<OperationCanceledException>(async () => await ((HybridCache)harness.Cache).GetOrCreateAsync("missing", _ => ValueTask.FromResult(1), cancellationToken: cancelled.Token));
        await Assert.ThrowsAsync<OperationCanceledException>(async () => await harness.Cache.TryGetAsync<int>("cached", cancellationToken: cancelled.Token));
    }

    [Fact]
    public async Task CallerCancelledWhileWaitingForALoad_GetsExactlyOperationCanceledException()
    {
        await using var harness = await CacheHarness.MemoryAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var other = harness.Cache.GetOrSetAsync("k", async _ => { await release.Task; return 1; }, TenMinutes).AsTask();
        using var cancel = new CancellationTokenSource();
        var waiting = harness.Cache.GetOrSetAsync("k", _ => ValueTask.FromResult(2), TenMinutes, cancellationToken: cancel.Token).AsTask();

        await cancel.CancelAsync();

        var error = await Assert.ThrowsAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(cancel.Token, error.CancellationToken);
        release.SetResult();
        Assert.Equal(1, await other);
    }

#pragma warning disable CA1051 // the point of this type: public fields and no properties
    public sealed class FieldsOnly
    {
        public int Count;
        public string? Name;
    }
#pragma warning restore CA1051

    public sealed record OrderTotal(decimal TotalAmount, string Currency);

    [ImmutableObject(true)]
    public sealed record FrozenReport(int Number);
}
