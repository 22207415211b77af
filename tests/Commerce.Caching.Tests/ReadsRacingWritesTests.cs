using System.Buffers;
using System.Text;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Caching.Tests;

/// <summary>
/// A read from Redis still on its way (on the wire, or being deserialized) when the key is set or removed, here or on
/// another instance: its caller gets what Redis held when it was read, but that older value is never kept in memory
/// over the write. The read is held at deserialization (a large payload), on a real Redis.
/// </summary>
public sealed class ReadsRacingWritesTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly CommerceCacheEntryOptions TenMinutes = new() { Duration = TimeSpan.FromMinutes(10) };

    [IntegrationTheory(TestServer.Redis)]
    [InlineData("another instance", "set")]
    [InlineData("another instance", "remove")]
    [InlineData("the same instance", "set")]
    [InlineData("the same instance", "remove")]
    public async Task AReadInFlightWhileTheKeyChanges_NeverKeepsTheOldValueInMemory(string writer, string change)
    {
        var prefix = TestNames.Unique();
        var slow = new HeldSerializer();
        await using var a = await CacheHarness.CreateAsync(redis.ConnectionString, prefix, services: s => s.AddSingleton<IHybridCacheSerializer<Price>>(new HeldSerializer()));
        await using var b = await CacheHarness.CreateAsync(redis.ConnectionString, prefix, services: s => s.AddSingleton<IHybridCacheSerializer<Price>>(slow));
        var changer = writer == "the same instance" ? b : a;
        await a.Cache.SetAsync("price", new Price(1), TenMinutes);
        await b.Cache.GetOrSetAsync("probe", _ => ValueTask.FromResult("old"), TenMinutes);

        slow.HoldNext();
        var read = b.Cache.TryGetAsync<Price>("price").AsTask();   // reads Price(1) from Redis, then waits in Deserialize
        await slow.Held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        if (change == "set")
        {
            await changer.Cache.SetAsync("price", new Price(2), TenMinutes);
        }
        else
        {
            await changer.Cache.RemoveAsync("price");
        }

        // b has heard of the change when it has heard of the next one (a's messages reach it in order)
        await a.Cache.SetAsync("probe", "new", TenMinutes);
        await Eventually.TrueAsync(async () => (await b.Cache.TryGetAsync<string>("probe")).GetValueOrDefault("none") == "new");
        slow.Release();
        Assert.Equal(new Price(1), (await read).Value);   // what Redis held when it was read

        var now = await b.Cache.TryGetAsync<Price>("price");
        Assert.Equal(change == "set" ? new Price(2) : null, now.HasValue ? now.Value : null);
    }

    public sealed record Price(int Cents);

    /// <summary>Price as text; <see cref="HoldNext"/> makes the next deserialization wait for <see cref="Release"/>.</summary>
    private sealed class HeldSerializer : IHybridCacheSerializer<Price>
    {
        private readonly ManualResetEventSlim _release = new(true);
        private int _holdNext;

        public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void HoldNext()
        {
            _release.Reset();
            Volatile.Write(ref _holdNext, 1);
        }

        public void Release() => _release.Set();

        public Price Deserialize(ReadOnlySequence<byte> source)
        {
            if (Interlocked.Exchange(ref _holdNext, 0) == 1)
            {
                Held.TrySetResult();
                _release.Wait(TimeSpan.FromSeconds(60));
            }

            return new Price(int.Parse(Encoding.UTF8.GetString(source), System.Globalization.CultureInfo.InvariantCulture));
        }

        public void Serialize(Price value, IBufferWriter<byte> target) =>
            Encoding.UTF8.GetBytes(value.Cents.ToString(System.Globalization.CultureInfo.InvariantCulture), target);
    }
}
