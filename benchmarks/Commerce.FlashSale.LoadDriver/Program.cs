// Load driver for Commerce.FlashSale: ./build.sh bench flashsale [--cluster] [--requests N] [--concurrency C] [--redis-benchmark-clients K]
// (--cluster: one hot item on the local 3-primary cluster, K = 1 against K = 3 buckets; see ClusterMode.cs)
//
// 1. Throughput: N reserve calls through the library (C in flight) on a sale with more stock than demand, so every
//    call takes the full reserve path; reports reservations/s and p50/p99 latency.
// 2. Contention: N calls for N/4 units; checks that exactly N/4 are held (zero oversell, every unit sold).
// 3. Baseline: redis-benchmark running the same reserve script (EVALSHA, random reservation and user ids) with
//    pipelining on the same Redis: the machine's limit. Reports the ratio.
// 4. Confirm: a confirmation is written to PostgreSQL before it is acknowledged; its rate and latency against a
//    release (the same change script, Redis only) in the same run: what durability costs.
// 5. The journal: how fast the load's journal entries are written to PostgreSQL, and that PostgreSQL then equals Redis.
// The background workers are off during 1-3, so the library and redis-benchmark run on the same quiet machine.
using System.Diagnostics;
using System.Globalization;
using Commerce.FlashSale;
using Commerce.FlashSale.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

var requests = Arg("--requests", 200_000);
var concurrency = Arg("--concurrency", 256);
var benchmarkClients = Arg("--redis-benchmark-clients", 50);
var changes = Arg("--confirms", 20_000);
if (args.Contains("--cluster"))
{
    return await ClusterMode.RunAsync(requests, concurrency, benchmarkClients);
}

var redis = Environment.GetEnvironmentVariable("ConnectionStrings__Redis") ?? "localhost:6379";
var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") ?? "Host=localhost;Username=postgres;Password=postgres;Database=commerce";
var prefix = $"bench:fs:{Guid.NewGuid():N}"[..24];

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddCommerceFlashSale(o =>
    {
        o.KeyPrefix = prefix;
        o.Schema = "flash_sale_bench";
        o.RateLimitPermits = 50_000; // evaluated on every call, never the bottleneck
        o.HoldDuration = TimeSpan.FromMinutes(5);
        o.RunBackgroundWorkers = false;
        o.JournalBatchSize = 2_000;
    })
    .WithRedis(redis)
    .WithPostgres(postgres);
using var host = builder.Build();
await host.StartAsync();
var sales = host.Services.GetRequiredService<IFlashSaleService>();
var maintenance = host.Services.GetRequiredService<IFlashSaleMaintenance>();
var connection = await ConnectionMultiplexer.ConnectAsync(redis + ",allowAdmin=true");   // INFO commandstats counts the scripts run

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, Redis {connection.GetServers()[0].Version}");
Console.WriteLine($"requests {requests:N0}, library concurrency {concurrency}, redis-benchmark clients {benchmarkClients} with pipeline 16\n");

// ---- 1. throughput
var open = await sales.CreateSaleAsync(Sale(stock: requests * 2, limit: 1_000));
await Run(open.Id, 2_000, "warm-up", quiet: true);
var throughput = await Run(open.Id, requests, "library, stock > demand");

// ---- 2. contention
var scarce = await sales.CreateSaleAsync(Sale(stock: requests / 4, limit: 1_000));
var contended = await Run(scarce.Id, requests, "library, demand = 4 x stock");
var item = (await sales.GetSaleAsync(scarce.Id))!.Items[0];
Console.WriteLine($"  held {contended.Reserved:N0} of {item.Stock:N0} units; available {item.Available}; oversold {Math.Max(0, contended.Reserved - item.Stock)}");
if (contended.Reserved != item.Stock || item.Available != 0)
{
    Console.WriteLine("  FAILED: the sale was oversold or left units unsold");
    return 1;
}

// ---- 2b. after the sell-out: the crowd keeps asking; the instance answers from memory (SoldOutMemoryDuration)
var statsServer = connection.GetServers()[0];
var scriptsBefore = await RedisBenchmark.ScriptCallsAsync([statsServer]);
var afterSellOut = await Run(scarce.Id, requests, "library, after the sell-out");
var scripts = await RedisBenchmark.ScriptCallsAsync([statsServer]) - scriptsBefore;
Console.WriteLine($"  {requests - scripts:N0} of {requests:N0} answered without Redis ({(requests - scripts) * 100.0 / requests:F2}%); {afterSellOut.Reserved} reserved");

// ---- 3. baseline: redis-benchmark, same script, same server
var baselineSale = await sales.CreateSaleAsync(Sale(stock: 100_000_000, limit: 1_000_000));
var server = connection.GetServers()[0];
var sha = await RedisBenchmark.LoadAsync(server);
var keys = new[] { "sale", "items", "holds", "res", "exp", "journal", "rate" }.Select(k => $"{prefix}:{{{baselineSale.Id:N}}}:{k}");
var endpoint = (System.Net.DnsEndPoint?)(connection.GetEndPoints()[0] as System.Net.DnsEndPoint);
var ip = connection.GetEndPoints()[0] as System.Net.IPEndPoint;
var hostName = endpoint?.Host ?? ip?.Address.ToString() ?? "127.0.0.1";
var port = endpoint?.Port ?? ip?.Port ?? 6379;
var benchArgs = RedisBenchmark.Arguments(hostName, port, sha, keys, requests, benchmarkClients, lazySweep: "10", ratePermits: "50000");
Console.WriteLine($"\nbaseline: redis-benchmark {string.Join(' ', benchArgs.Select(a => a.Length == 0 ? "''" : a)).Replace(sha, "<sha of the reserve script>", StringComparison.Ordinal)}");
var cells = await RedisBenchmark.RunAsync(benchArgs);
var limit = RedisBenchmark.Rate(cells);
Console.WriteLine($"  redis-benchmark: {limit:N0} reserve scripts/s (p50 {Cell(cells, 4)} ms, p99 {Cell(cells, 6)} ms)");
var baselineHeld = (await sales.GetSaleAsync(baselineSale.Id))!.Items[0].Reserved;
Console.WriteLine($"  (it reserved {baselineHeld:N0} units: the script did the full reserve path)");

Console.WriteLine($"\nratio library / redis-benchmark: {throughput.PerSecond / limit:P0}");

// ---- 4. confirm (durable in PostgreSQL first) against release (Redis only), same script, same run
var paid = await sales.CreateSaleAsync(Sale(stock: changes * 2, limit: 1_000));
var holds = new List<Reservation>(changes * 2);
for (var i = 0; i < changes * 2; i++)
{
    holds.Add((await sales.ReserveAsync(new ReserveRequest { SaleId = paid.Id, ProductId = "p1", UserId = $"c{i}" })).Reservation!);
}

await Change("confirm (durable: PostgreSQL before the answer)", holds.Take(changes).ToList(), r => sales.ConfirmAsync(paid.Id, r.Id, r.UserId), ReservationOutcome.Confirmed);
await Change("release (Redis only)", holds.Skip(changes).ToList(), r => sales.ReleaseAsync(paid.Id, r.Id, r.UserId), ReservationOutcome.Released);

// ---- 5. the journal into PostgreSQL
var watch = Stopwatch.StartNew();
var persisted = 0;
foreach (var id in new[] { open.Id, scarce.Id, baselineSale.Id, paid.Id })
{
    persisted += await maintenance.DrainJournalAsync(id);
}

var drainSeconds = watch.Elapsed.TotalSeconds;
var consistent = true;
foreach (var id in new[] { open.Id, scarce.Id, baselineSale.Id, paid.Id })
{
    consistent &= (await maintenance.ReconcileAsync(id)).IsConsistent;
}

Console.WriteLine($"journal: {persisted:N0} entries into PostgreSQL in {drainSeconds:F1} s ({persisted / drainSeconds:N0} entries/s); PostgreSQL equals Redis: {consistent}");
await host.StopAsync();
return 0;

async Task<(double PerSecond, int Reserved)> Run(Guid sale, int count, string label, bool quiet = false)
{
    var latencies = new double[count];
    var reserved = 0;
    var next = -1;
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            var started = Stopwatch.GetTimestamp();
            var result = await sales.ReserveAsync(new ReserveRequest { SaleId = sale, ProductId = "p1", UserId = $"u{i % 50_000}" });
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (result.Outcome == ReserveOutcome.Reserved)
            {
                Interlocked.Increment(ref reserved);
            }
        }
    }));
    var seconds = watch.Elapsed.TotalSeconds;
    Array.Sort(latencies);
    if (!quiet)
    {
        Console.WriteLine($"{label}: {count / seconds:N0} reservations/s, p50 {latencies[count / 2]:F2} ms, p99 {latencies[(int)(count * 0.99)]:F2} ms ({reserved:N0} reserved)");
    }

    return (count / seconds, reserved);
}

async Task Change(string label, List<Reservation> targets, Func<Reservation, Task<ReservationResult>> change, ReservationOutcome expected)
{
    var latencies = new double[targets.Count];
    var ok = 0;
    var next = -1;
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < targets.Count)
        {
            var started = Stopwatch.GetTimestamp();
            var result = await change(targets[i]);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (result.Outcome == expected)
            {
                Interlocked.Increment(ref ok);
            }
        }
    }));
    var seconds = watch.Elapsed.TotalSeconds;
    Array.Sort(latencies);
    Console.WriteLine($"{label}: {targets.Count / seconds:N0}/s, p50 {latencies[targets.Count / 2]:F2} ms, p99 {latencies[(int)(targets.Count * 0.99)]:F2} ms ({ok:N0} of {targets.Count:N0} {expected})");
}

FlashSaleDefinition Sale(int stock, int limit) => new()
{
    ShopId = "bench",
    Name = "bench",
    StartsAt = DateTimeOffset.UtcNow.AddMinutes(-1),
    EndsAt = DateTimeOffset.UtcNow.AddHours(1),
    Items = [new FlashSaleItemDefinition("p1", stock, 1m, limit)],
};

int Arg(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

static string Cell(string[] cells, int index) => cells.Length > index ? cells[index] : "?";
