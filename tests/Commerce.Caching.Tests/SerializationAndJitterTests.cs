using System.Buffers;
using System.Text;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Commerce.Caching.Tests;

public sealed class SerializationAndJitterTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task Jitter_SpreadsTheExpiryOfEntriesWrittenTogether()
    {
        var time = new FakeTimeProvider();
        await using var harness = await CacheHarness.MemoryAsync(time);
        var options = new CommerceCacheEntryOptions { Duration = TimeSpan.FromMinutes(10), JitterMaxDuration = TimeSpan.FromMinutes(10) };
        for (var i = 0; i < 200; i++)
        {
            await harness.Cache.SetAsync($"k{i}", i, options);
        }

        time.Advance(TimeSpan.FromMinutes(15)); // past the duration, inside the jitter window
        var stillFresh = 0;
        for (var i = 0; i < 200; i++)
        {
            stillFresh += (await harness.Cache.TryGetAsync<int>($"k{i}")).HasValue ? 1 : 0;
        }

        Assert.InRange(stillFresh, 1, 199); // some expired, some not: about half
        time.Advance(TimeSpan.FromMinutes(6)); // past duration + the whole jitter
        Assert.False((await harness.Cache.TryGetAsync<int>("k0")).HasValue);
    }

    [IntegrationFact(TestServer.Redis)]
    public async Task RegisteredSerializer_IsUsedForRedis()
    {
        var prefix = TestNames.Unique();
        await using var a = await CacheHarness.CreateAsync(redis.ConnectionString, prefix, services: s => s.AddSingleton<IHybridCacheSerializer<Money>, MoneySerializer>());
        await using var b = await CacheHarness.CreateAsync(redis.ConnectionString, prefix, services: s => s.AddSingleton<IHybridCacheSerializer<Money>, MoneySerializer>());

        await a.Cache.SetAsync("price", new Money(12.5m, "EUR"), new CommerceCacheEntryOptions());

        var raw = (byte[])(await redis.Database.StringGetAsync($"{prefix}:u:{{price}}:v"))!;
        Assert.EndsWith("12.5 EUR", Encoding.UTF8.GetString(raw), StringComparison.Ordinal);
        Assert.Equal(new Money(12.5m, "EUR"), (await b.Cache.TryGetAsync<Money>("price")).Value);
    }

    public sealed record Money(decimal Amount, string Currency);

    private sealed class MoneySerializer : IHybridCacheSerializer<Money>
    {
        public Money Deserialize(ReadOnlySequence<byte> source)
        {
            var parts = Encoding.UTF8.GetString(source).Split(' ');
            return new Money(decimal.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), parts[1]);
        }

        public void Serialize(Money value, IBufferWriter<byte> target) =>
            Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{value.Amount} {value.Currency}"), target);
    }
}
