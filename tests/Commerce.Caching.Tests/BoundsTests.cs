using Microsoft.Extensions.Time.Testing;

namespace Commerce.Caching.Tests;

/// <summary>What the cache keeps in memory stays bounded when scopes come and go (a scope per user or per SKU).</summary>
public sealed class BoundsTests
{
    [Fact]
    public async Task ScopesNoLongerUsed_AreDroppedFromMemory_AndInvalidationStillWorksAfter()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var harness = await CacheHarness.MemoryAsync(time);
        var oneMinute = new CommerceCacheEntryOptions { Duration = TimeSpan.FromMinutes(1) };
        for (var i = 0; i < 1_000; i++)
        {
            await harness.Cache.GetOrSetAsync($"user:{i}:cart", _ => ValueTask.FromResult(i), oneMinute, scope: $"user:{i}");
        }

        Assert.True(harness.Cache.Status.TrackedGenerations >= 1_000);
        for (var minute = 0; minute < 25; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1)); // the sweep runs every minute
        }

        Assert.True(harness.Cache.Status.TrackedGenerations < 10, $"{harness.Cache.Status.TrackedGenerations} generations still tracked");
        await harness.Cache.SetAsync("user:1:cart", 5, oneMinute, scope: "user:1");
        await harness.Cache.InvalidateScopeAsync("user:1");
        Assert.False((await harness.Cache.TryGetAsync<int>("user:1:cart", "user:1")).HasValue);
    }
}
