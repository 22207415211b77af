using System.Text.Json.Serialization;
using Microsoft.Extensions.Caching.Hybrid;

namespace Commerce.Caching.Tests;

/// <summary>One load per key, by HybridCache's rules, and loads that never outlive or fail the callers they should not.</summary>
public sealed class StampedeTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly CommerceCacheEntryOptions TenMinutes = new() { Duration = TimeSpan.FromMinutes(10) };

    [Fact]
    public async Task ConcurrentLoadsOfOneKey_AsDifferentTypesOrFlags_DoNotShareALoad()
    {
        await using var harness = await CacheHarness.MemoryAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var asNumber = harness.Cache.GetOrSetAsync("k", async _ => { await release.Task; return 42; }, TenMinutes).AsTask();
        var noLocalWrite = new CommerceCacheEntryOptions { Duration = TimeSpan.FromMinutes(10), Flags = HybridCacheEntryFlags.DisableLocalCacheWrite };

        var asText = harness.Cache.GetOrSetAsync("k", _ => ValueTask.FromResult("forty-two"), TenMinutes).AsTask();
        var otherFlags = harness.Cache.GetOrSetAsync("k", _ => ValueTask.FromResult(7), noLocalWrite).AsTask();

        Assert.Equal("forty-two", await asText.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(7, await otherFlags.WaitAsync(TimeSpan.FromSeconds(10)));
        release.SetResult();
        Assert.Equal(42, await asNumber);
    }

    [Fact]
    public async Task CallerJoiningALoadWhoseCallersAllCancelled_StartsANewOne()
    {
        await using var harness = await CacheHarness.MemoryAsync();
        var stuck = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource();
        var abandoned = harness.Cache.GetOrSetAsync("k", _ => new ValueTask<string>(stuck.Task), TenMinutes, cancellationToken: cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        // The abandoned load ignores its cancellation and never ends; a new caller must not wait for it.
        var next = harness.Cache.GetOrSetAsync("k", _ => ValueTask.FromResult("fresh"), TenMinutes).AsTask();

        Assert.Equal("fresh", await next.WaitAsync(TimeSpan.FromSeconds(10)));
        stuck.SetResult("late");
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task GetOrSetMany_WhenStoringAValueThrows_LeavesNoLoadBehind_SoLaterReadsDoNotHang()
    {
        await using var harness = await CacheHarness.CreateAsync(redis.ConnectionString, TestNames.Unique());
        var cycle = new Node { Name = "a" };
        cycle.Next = cycle; // cannot be serialized
        static ValueTask<IReadOnlyDictionary<string, Node>> Batch(Node cycle) =>
            ValueTask.FromResult<IReadOnlyDictionary<string, Node>>(new Dictionary<string, Node> { ["a"] = cycle, ["b"] = new Node { Name = "b" } });

        try
        {
            await harness.Cache.GetOrSetManyAsync<Node>(["a", "b"], (_, _) => Batch(cycle), TenMinutes);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            // a cache may report the unserializable value; what matters is what is left behind
        }

        var b = await harness.Cache.GetOrSetAsync("b", _ => ValueTask.FromResult(new Node { Name = "b2" }), TenMinutes).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("b", b.Name, StringComparison.Ordinal);
        await harness.Cache.GetOrSetAsync("a", _ => ValueTask.FromResult(new Node { Name = "a2" }), TenMinutes).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task GetOrSetMany_CallerCancels_CallersWhoJoinedItsKeysStillGetTheirValues()
    {
        await using var harness = await CacheHarness.CreateAsync(redis.ConnectionString, TestNames.Unique());
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async ValueTask<IReadOnlyDictionary<string, string>> Batch(IReadOnlyList<string> keys, CancellationToken ct)
        {
            started.TrySetResult();
            await release.Task.WaitAsync(ct);
            return keys.ToDictionary(k => k, k => $"value-of-{k}");
        }

        using var cancel = new CancellationTokenSource();
        var batch = harness.Cache.GetOrSetManyAsync<string>(["x", "y"], Batch, TenMinutes, cancellationToken: cancel.Token).AsTask();
        await started.Task;
        var joined = harness.Cache.GetOrSetAsync("x", _ => ValueTask.FromResult("own-load"), TenMinutes).AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batch);
        release.SetResult();

        Assert.Equal("value-of-x", await joined.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    public sealed class Node
    {
        public string Name { get; set; } = "";

        [JsonInclude]
        public Node? Next { get; set; }
    }
}
