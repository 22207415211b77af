using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Commerce.Caching.Tests;

/// <summary>Declared warm-up entries load in the background after start, bounded, without delaying start.</summary>
public sealed class WarmupTests
{
    private static readonly CommerceCacheEntryOptions TenMinutes = new() { Duration = TimeSpan.FromMinutes(10) };

    [Fact]
    public async Task Warmup_LoadsTheDeclaredEntriesInTheBackground_WithoutDelayingStart()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var warmup = new GatedWarmup(gate.Task, entries: 12);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(warmup); // an instance the test controls; WithWarmup keeps it
        builder.Services.AddCommerceCaching(o => o.WarmupConcurrency = 3).WithWarmup<GatedWarmup>();
        using var host = builder.Build();

        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(10)); // returns while every factory is still blocked
        var cache = host.Services.GetRequiredService<CommerceCache>();
        await Eventually.TrueAsync(() => warmup.Running == 3);
        Assert.True(cache.Status.WarmupRunning);
        Assert.Equal(0, cache.Status.WarmedEntries);

        gate.SetResult();
        await Eventually.TrueAsync(() => cache.Status.WarmedEntries == 12 && !cache.Status.WarmupRunning);
        Assert.Equal(3, warmup.MaxRunning); // never more than WarmupConcurrency at once
        Assert.Equal(12, warmup.Calls);
        Assert.Equal("value-5", await cache.GetOrSetAsync("report:5", _ => ValueTask.FromResult("unexpected"), TenMinutes, scope: "shop:1"));
        await host.StopAsync();
    }

    [Fact]
    public async Task Warmup_AFailingEntry_IsCountedAndTheOthersStillLoad()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddCommerceCaching().WithWarmup<PartlyFailingWarmup>();
        using var host = builder.Build();
        await host.StartAsync();
        var cache = host.Services.GetRequiredService<CommerceCache>();

        await Eventually.TrueAsync(() => !cache.Status.WarmupRunning && cache.Status.WarmedEntries + cache.Status.WarmupFailures == 3);
        Assert.Equal((2, 1), (cache.Status.WarmedEntries, cache.Status.WarmupFailures));
        Assert.True((await cache.TryGetAsync<int>("ok:2")).HasValue);
        await host.StopAsync();
    }

    [Fact]
    public async Task Warmup_ThatCannotListItsEntries_IsCounted_AndTheHostKeepsRunning()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddCommerceCaching().WithWarmup<BrokenWarmup>();
        using var host = builder.Build();
        await host.StartAsync();
        var cache = host.Services.GetRequiredService<CommerceCache>();

        await Eventually.TrueAsync(() => !cache.Status.WarmupRunning && cache.Status.WarmupFailures == 1);
        Assert.False(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
        await host.StopAsync();
    }

    public sealed class BrokenWarmup : ICommerceCacheWarmup
    {
        public async IAsyncEnumerable<CacheWarmupEntry> GetEntriesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            throw new InvalidOperationException("relation \"daily_sales\" does not exist");
#pragma warning disable CS0162 // an iterator needs a yield
            yield break;
#pragma warning restore CS0162
        }
    }

    public sealed class GatedWarmup(Task gate, int entries) : ICommerceCacheWarmup
    {
        private int _running;
        private int _maxRunning;
        private int _calls;

        public int Running => Volatile.Read(ref _running);

        public int MaxRunning => Volatile.Read(ref _maxRunning);

        public int Calls => Volatile.Read(ref _calls);

        public async IAsyncEnumerable<CacheWarmupEntry> GetEntriesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            for (var i = 0; i < entries; i++)
            {
                var n = i;
                yield return CacheWarmupEntry.Create($"report:{n}", async _ =>
                {
                    Interlocked.Increment(ref _calls);
                    var now = Interlocked.Increment(ref _running);
                    int seen;
                    while ((seen = Volatile.Read(ref _maxRunning)) < now && Interlocked.CompareExchange(ref _maxRunning, now, seen) != seen)
                    {
                    }

                    await gate;
                    Interlocked.Decrement(ref _running);
                    return $"value-{n}";
                }, TenMinutes, scope: "shop:1");
            }
        }
    }

    public sealed class PartlyFailingWarmup : ICommerceCacheWarmup
    {
        public async IAsyncEnumerable<CacheWarmupEntry> GetEntriesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            yield return CacheWarmupEntry.Create("ok:1", _ => ValueTask.FromResult(1));
            yield return CacheWarmupEntry.Create<int>("broken", _ => throw new InvalidOperationException("database down"));
            yield return CacheWarmupEntry.Create("ok:2", _ => ValueTask.FromResult(2));
        }
    }
}
