// The cluster mode of the load driver (./build.sh bench flashsale --cluster [--requests N] [--concurrency C]): one hot
// item on the local 3-primary Redis Cluster, its stock in one bucket (K = 1, one slot: one Redis core) and then split
// over K = 3 buckets (one per primary), same driver, same run:
// 1. throughput with stock > demand (every call the full reserve path);
// 2. redis-benchmark running the same reserve script on one primary alone, then on each primary at once with that
//    primary's bucket keys: the cluster's limit for the script, per shard and in sum, and what three primaries gain
//    over one on this machine's cores;
// 3. contention (demand = 4 x stock) at K = 3: exactly the stock sold, and no false sold-out: nothing is released, so
//    a reservation that started after a "none left" answer was given means units remained when it was given;
// 4. after the sell-out: how many attempts are answered from memory, and their latency.
// Ends with one line: hot item K=3 vs K=1: <ratio>x, oversold <n>, false sold-out <n>.
using System.Diagnostics;
using System.Globalization;
using Commerce.FlashSale;
using Commerce.FlashSale.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

internal static class ClusterMode
{
    public static async Task<int> RunAsync(int requests, int concurrency, int benchmarkClients)
    {
        var cluster = Environment.GetEnvironmentVariable("COMMERCE_TEST_REDIS_CLUSTER") ?? "127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003";
        var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") ?? "Host=localhost;Username=postgres;Password=postgres;Database=commerce";
        var prefix = $"bench:fs:{Guid.NewGuid():N}"[..24];
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddCommerceFlashSale(o =>
            {
                o.KeyPrefix = prefix;
                o.Schema = "flash_sale_bench";
                o.RateLimitPermits = 0;
                o.HoldDuration = TimeSpan.FromMinutes(5);
                o.RunBackgroundWorkers = false;
            })
            .WithRedis(cluster)
            .WithPostgres(postgres);
        using var host = builder.Build();
        await host.StartAsync();
        var sales = host.Services.GetRequiredService<IFlashSaleService>();
        var keys = host.Services.GetRequiredService<FlashSaleKeys>();
        var connection = await ConnectionMultiplexer.ConnectAsync(cluster + ",allowAdmin=true");
        var layout = connection.GetServers().First(s => !s.IsReplica).ClusterConfiguration!;
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; cluster of {layout.Nodes.Count(n => !n.IsReplica)} primaries");
        Console.WriteLine($"requests {requests:N0} per phase, library concurrency {concurrency}, redis-benchmark clients {benchmarkClients} per primary with pipeline 16\n");

        var one = await sales.CreateSaleAsync(Sale(requests * 2, 1_000, 1));
        var three = await sales.CreateSaleAsync(Sale(requests * 2, 1_000, 3));
        foreach (var (sale, k) in new[] { (one, 1), (three, 3) })
        {
            var nodes = Enumerable.Range(0, k).Select(b => layout.GetBySlot(FlashSaleKeys.HashSlot(FlashSaleKeys.Tag(sale.Id, b, k)))!.EndPoint).ToArray();
            Console.WriteLine($"K={k}: buckets on {string.Join(", ", nodes.Select(n => n!.ToString()))}");
        }

        await Reserve(sales, one.Id, 2_000, concurrency);
        await Reserve(sales, three.Id, 2_000, concurrency);
        var k1 = await Reserve(sales, one.Id, requests, concurrency);
        Console.WriteLine($"\nK=1, stock > demand: {k1.PerSecond:N0} reservations/s, p50 {k1.P50:F2} ms, p99 {k1.P99:F2} ms");
        var k3 = await Reserve(sales, three.Id, requests, concurrency);
        Console.WriteLine($"K=3, stock > demand: {k3.PerSecond:N0} reservations/s, p50 {k3.P50:F2} ms, p99 {k3.P99:F2} ms");
        var ratio = k3.PerSecond / k1.PerSecond;
        Console.WriteLine($"  K=3 / K=1: {ratio:F2}x");

        // ---- the limit: redis-benchmark, the same script, on every primary at once with its bucket's keys
        var baseline = await sales.CreateSaleAsync(Sale(100_000_000, 1_000_000, 3));
        Task<double> Bench(int b)
        {
            var bucketKeys = keys.For(baseline.Id, b, 3).Select(k => (string)k!).ToArray();
            var node = (System.Net.IPEndPoint)layout.GetBySlot(FlashSaleKeys.HashSlot(FlashSaleKeys.Tag(baseline.Id, b, 3)))!.EndPoint!;
            return BenchAsync(connection.GetServer(node), node, bucketKeys, requests, benchmarkClients);
        }

        var alone = await Bench(0);
        Console.WriteLine($"\nredis-benchmark, reserve script on one primary alone: {alone:N0} scripts/s");
        var runs = Enumerable.Range(0, 3).Select(Bench).ToArray();
        var limits = await Task.WhenAll(runs);
        Console.WriteLine($"redis-benchmark, reserve script on the 3 primaries at once: {string.Join(" + ", limits.Select(l => l.ToString("N0", CultureInfo.InvariantCulture)))} = {limits.Sum():N0} scripts/s");
        Console.WriteLine($"  3 primaries / one alone: {limits.Sum() / alone:F2}x (the most a split can gain on this machine's cores)");
        Console.WriteLine($"  library K=3 / redis-benchmark on 3 primaries: {k3.PerSecond / limits.Sum():P0}; library K=1 / one primary alone: {k1.PerSecond / alone:P0}");

        // ---- contention at K=3: exactly the stock, no false sold-out
        var stock = requests / 4;
        var scarce = await sales.CreateSaleAsync(Sale(stock, 1_000, 3));
        var contended = await Reserve(sales, scarce.Id, requests, concurrency);
        var item = (await sales.GetSaleAsync(scarce.Id))!.Items[0];
        var oversold = Math.Max(0, contended.Reserved - stock);
        var falseSoldOut = contended.FirstNoneLeft is { } firstNoneLeft ? contended.ReservedStarts.Count(s => s > firstNoneLeft) : 0;
        Console.WriteLine($"\nK=3, demand = 4 x stock: {contended.PerSecond:N0} requests/s; held {contended.Reserved:N0} of {stock:N0}; available {item.Available}; oversold {oversold}; reservations begun after a 'none left' answer: {falseSoldOut}; 'try again' answers {contended.Retry:N0}");

        // ---- after the sell-out
        var primaries = connection.GetServers().Where(s => !s.IsReplica).ToArray();
        var before = await RedisBenchmark.ScriptCallsAsync(primaries);
        var after = await Reserve(sales, scarce.Id, requests, concurrency);
        var scripts = await RedisBenchmark.ScriptCallsAsync(primaries) - before;
        Console.WriteLine($"K=3, after the sell-out: {after.PerSecond:N0} requests/s, p50 {after.P50:F3} ms, p99 {after.P99:F3} ms; {(requests - scripts) * 100.0 / requests:F2}% answered without Redis");

        await host.StopAsync();
        var failed = oversold > 0 || falseSoldOut > 0 || contended.Reserved != stock || item.Available != 0;
        Console.WriteLine($"\nhot item K=3 vs K=1: {ratio.ToString("F2", CultureInfo.InvariantCulture)}x, oversold {oversold}, false sold-out {falseSoldOut}");
        return failed ? 1 : 0;
    }

    private static async Task<Phase> Reserve(IFlashSaleService sales, Guid sale, int count, int concurrency)
    {
        var latencies = new double[count];
        var starts = new List<long>[concurrency];
        var noneLeft = long.MaxValue;
        var reserved = 0;
        var retry = 0;
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            starts[worker] = [];
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var started = Stopwatch.GetTimestamp();
                var result = await sales.ReserveAsync(new ReserveRequest { SaleId = sale, ProductId = "p1", UserId = $"u{i % 50_000}" });
                var ended = Stopwatch.GetTimestamp();
                latencies[i] = Stopwatch.GetElapsedTime(started, ended).TotalMilliseconds;
                switch (result.Outcome)
                {
                    case ReserveOutcome.Reserved:
                        Interlocked.Increment(ref reserved);
                        starts[worker].Add(started);
                        break;
                    case ReserveOutcome.SoldOut when result.Available == 0:
                        long seen;
                        while (ended < (seen = Interlocked.Read(ref noneLeft)) && Interlocked.CompareExchange(ref noneLeft, ended, seen) != seen)
                        {
                        }

                        break;
                    case ReserveOutcome.Recovering:
                        Interlocked.Increment(ref retry);
                        break;
                }
            }
        }));
        var seconds = watch.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return new Phase(count / seconds, latencies[count / 2], latencies[(int)(count * 0.99)], reserved, retry,
            noneLeft == long.MaxValue ? null : noneLeft, starts.SelectMany(s => s).ToArray());
    }

    private static async Task<double> BenchAsync(IServer server, System.Net.IPEndPoint node, string[] keys, int requests, int clients) =>
        RedisBenchmark.Rate(await RedisBenchmark.RunAsync(RedisBenchmark.Arguments(
            node.Address.ToString(), node.Port, await RedisBenchmark.LoadAsync(server), keys, requests, clients, lazySweep: "0", ratePermits: "0")));

    private static FlashSaleDefinition Sale(int stock, int limit, int buckets) => new()
    {
        ShopId = "bench",
        Name = "bench",
        StartsAt = DateTimeOffset.UtcNow.AddMinutes(-1),
        EndsAt = DateTimeOffset.UtcNow.AddHours(1),
        Items = [new FlashSaleItemDefinition("p1", stock, 1m, limit)],
        Buckets = buckets,
    };

    private sealed record Phase(double PerSecond, double P50, double P99, int Reserved, int Retry, long? FirstNoneLeft, long[] ReservedStarts);
}
