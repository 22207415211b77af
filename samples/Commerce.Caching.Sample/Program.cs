// Two "host instances" sharing one Redis: a report is computed once, read from memory and from Redis,
// then a webhook for the shop invalidates every cached report of that shop on both instances at once.
using System.Diagnostics;
using Commerce.Caching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var redis = Environment.GetEnvironmentVariable("ConnectionStrings__Redis") ?? "localhost:6379";
var sales = new CommerceCacheEntryOptions { Duration = TimeSpan.FromMinutes(15), FailSafe = true };

using var instanceA = await StartInstanceAsync(redis);
using var instanceB = await StartInstanceAsync(redis);
var cacheA = instanceA.Services.GetRequiredService<CommerceCache>();
var cacheB = instanceB.Services.GetRequiredService<CommerceCache>();
var shop = $"shop:{Random.Shared.Next(1000, 9999)}";
var queries = 0;

async ValueTask<decimal> SalesReportFromDatabase(CancellationToken ct)
{
    Interlocked.Increment(ref queries);
    await Task.Delay(50, ct); // a report query
    return 1234.56m + queries;
}

await Step("A: miss, runs the query", () => cacheA.GetOrSetAsync($"{shop}:sales:2026-11", SalesReportFromDatabase, sales, scope: shop));
await Step("A: memory hit", () => cacheA.GetOrSetAsync($"{shop}:sales:2026-11", SalesReportFromDatabase, sales, scope: shop));
await Step("B: Redis hit (other instance)", () => cacheB.GetOrSetAsync($"{shop}:sales:2026-11", SalesReportFromDatabase, sales, scope: shop));
await Step("B: memory hit", () => cacheB.GetOrSetAsync($"{shop}:sales:2026-11", SalesReportFromDatabase, sales, scope: shop));

Console.WriteLine($"\nA webhook for {shop} arrives on A: InvalidateScopeAsync(\"{shop}\")");
var watch = Stopwatch.StartNew();
await cacheA.InvalidateScopeAsync(shop);
Console.WriteLine($"  invalidated every entry of the shop in {watch.Elapsed.TotalMilliseconds:F2} ms (one Redis command)\n");
await Task.Delay(50); // pub/sub reaches B

await Step("B: recomputed after invalidation", () => cacheB.GetOrSetAsync($"{shop}:sales:2026-11", SalesReportFromDatabase, sales, scope: shop));
await Step("A: Redis hit of B's new value", () => cacheA.GetOrSetAsync($"{shop}:sales:2026-11", SalesReportFromDatabase, sales, scope: shop));

Console.WriteLine($"\nThe report query ran {queries} times for 6 reads on 2 instances.");
Console.WriteLine($"Cache status on A: {cacheA.Status}");

static async Task Step(string what, Func<ValueTask<decimal>> read)
{
    var watch = Stopwatch.StartNew();
    var value = await read();
    Console.WriteLine($"  {what,-36} {value,10}   {watch.Elapsed.TotalMilliseconds,8:F3} ms");
}

static async Task<IHost> StartInstanceAsync(string redis)
{
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Services.AddCommerceCaching(o => o.KeyPrefix = "sample:cache").WithRedis(redis);
    var host = builder.Build();
    await host.StartAsync();
    return host;
}
