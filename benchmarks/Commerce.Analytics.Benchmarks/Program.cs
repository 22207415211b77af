// Load driver for Commerce.Analytics: ./build.sh bench analytics [--orders 1000000] [--events 20000] [--phases] [--bulk-only]
//
// 1. Bulk sync of a year of history: N orders (1-9 lines each, ~5 per order) over 1,000 products and 4 platforms.
// 2. Per-event ingestion: orders.created events, 16 in flight; then the same number of a hot shop's orders (one shop,
//    one day) in batches of 200 with 4 batches in flight (UpsertOrdersAsync, the host's batch handler's path).
// 3. Every report over that data, from the summary tables, against the same figures computed directly from the base
//    tables (orders + order_lines), measured in the same run.
using System.Diagnostics;
using System.Globalization;
using Commerce.Analytics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

var orderCount = Arg("--orders", 1_000_000);
var eventCount = Arg("--events", 20_000);
var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") ?? "Host=localhost;Username=postgres;Password=postgres;Database=commerce";
const string Schema = "analytics_bench";
const string Shop = "bench-shop";
var platforms = new[] { "shopee", "lazada", "tiktok", "web" };
var today = new DateOnly(2026, 11, 22);
var yearStart = today.AddDays(-364);

await using (var drop = NpgsqlDataSource.Create(postgres))
{
    await drop.CreateCommand($"drop schema if exists {Schema} cascade").ExecuteNonQueryAsync();
}

var services = new ServiceCollection();
services.AddLogging(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning).AddFilter("Commerce.Analytics.Internal.DefaultAnalyticsIngestion", args.Contains("--phases") ? LogLevel.Debug : LogLevel.Warning));
services.AddSingleton<TimeProvider>(new FixedTime(new DateTimeOffset(today.ToDateTime(new TimeOnly(18, 0)), TimeSpan.Zero)));
services.AddCommerceAnalytics(o => o.Schema = Schema).WithPostgres(postgres);
await using var provider = services.BuildServiceProvider();
var ingestion = provider.GetRequiredService<IAnalyticsIngestion>();
var reports = provider.GetRequiredService<IAnalyticsReports>();
await ingestion.MigrateAsync();
await ingestion.SetShopAsync(Shop, "Asia/Bangkok", "USD");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; PostgreSQL on the same machine");

// ---- 1. bulk sync
var products = Enumerable.Range(1, 1000).Select(i => new ProductSnapshot
{
    ShopId = Shop, ProductId = $"p{i:0000}", Name = $"Product {i}", Sku = $"SKU-{i}", Category = $"c{i % 20}",
    Price = 5 + (i % 200), Cost = 2 + (i % 120), Currency = "USD", Stock = i % 300, UpdatedAt = new DateTimeOffset(yearStart.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
}).ToList();
long lines = 0;
IEnumerable<OrderSnapshot> History()
{
    var random = new Random(7);
    var start = new DateTimeOffset(yearStart.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(7));
    for (var i = 0; i < orderCount; i++)
    {
        var created = start.AddSeconds(random.NextDouble() * 365 * 86_400);
        var count = random.Next(1, 10);
        lines += count;
        yield return new OrderSnapshot
        {
            ShopId = Shop, OrderId = $"o{i}", Platform = platforms[random.Next(4)],
            Status = random.NextDouble() < 0.9 ? OrderStatus.Completed : OrderStatus.Refunded,
            Currency = "USD", CreatedAt = created, UpdatedAt = created.AddHours(1),
            Lines = Enumerable.Range(0, count).Select(_ =>
            {
                var p = random.Next(1, 1001);
                return new OrderLine($"p{p:0000}", random.Next(1, 4), 5 + (p % 200), 2 + (p % 120));
            }).ToArray(),
        };
    }
}

var watch = Stopwatch.StartNew();
var synced = await ingestion.BulkSyncAsync(Shop, products, History());
var seconds = watch.Elapsed.TotalSeconds;
Console.WriteLine($"bulk sync: {synced.Orders:N0} orders, {synced.Lines:N0} lines, {synced.Products:N0} products, {synced.Days} days recomputed in {seconds:F1} s"
    + $" = {synced.Lines / seconds:N0} lines/s, {synced.Orders / seconds:N0} orders/s (COPY, merge and summaries, one transaction)");

if (args.Contains("--bulk-only"))
{
    return 0;   // iterating on the bulk path: its phases (--phases) and figure only
}

// ---- 2. per-event ingestion
var latencies = new double[eventCount];
var next = -1;
watch.Restart();
await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
{
    var random = new Random();
    int i;
    while ((i = Interlocked.Increment(ref next)) < eventCount)
    {
        var created = new DateTimeOffset(today.ToDateTime(new TimeOnly(9, 0)), TimeSpan.FromHours(7)).AddSeconds(i);
        var started = Stopwatch.GetTimestamp();
        await ingestion.UpsertOrderAsync(new OrderSnapshot
        {
            ShopId = Shop, OrderId = $"live-{i}", Platform = platforms[i % 4], Status = OrderStatus.Paid, Currency = "USD",
            CreatedAt = created, UpdatedAt = created,
            Lines = Enumerable.Range(0, 1 + (i % 9)).Select(n => new OrderLine($"p{1 + ((i * 7 + n) % 1000):0000}", 1 + (n % 3), 12.5m, 7.25m)).ToArray(),
        });
        latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }
}));
Array.Sort(latencies);
var perEvent = eventCount / watch.Elapsed.TotalSeconds;
Console.WriteLine($"per-event ingestion: {perEvent:N0} order events/s, p50 {latencies[eventCount / 2]:F2} ms, p99 {latencies[(int)(eventCount * 0.99)]:F2} ms (16 in flight, each its own transaction with its summaries)");

const string HotShop = "hot-shop";
await ingestion.SetShopAsync(HotShop, "Asia/Bangkok", "USD");
var hot = Enumerable.Range(0, eventCount).Select(i =>
{
    var created = new DateTimeOffset(today.ToDateTime(new TimeOnly(9, 0)), TimeSpan.FromHours(7)).AddSeconds(i * 0.05);
    return new OrderSnapshot
    {
        ShopId = HotShop, OrderId = $"hot-{i}", Platform = platforms[i % 4], Status = OrderStatus.Paid, Currency = "USD",
        CreatedAt = created, UpdatedAt = created, PlatformFee = 0.5m,
        Lines = Enumerable.Range(0, 1 + (i % 9)).Select(n => new OrderLine($"p{1 + ((i * 7 + n) % 1000):0000}", 1 + (n % 3), 12.5m, 7.25m)).ToArray(),
    };
}).Chunk(200).ToList();
var batchLatencies = new double[hot.Count];
var nextBatch = -1;
watch.Restart();
await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
{
    int i;
    while ((i = Interlocked.Increment(ref nextBatch)) < hot.Count)
    {
        var started = Stopwatch.GetTimestamp();
        await ingestion.UpsertOrdersAsync(HotShop, hot[i]);
        batchLatencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }
}));
var batched = eventCount / watch.Elapsed.TotalSeconds;
Array.Sort(batchLatencies);
Console.WriteLine($"batched ingestion, one hot shop: {batched:N0} orders/s = {batched / perEvent:F1}x per-event, batch of 200 p50 {batchLatencies[hot.Count / 2]:F1} ms, p99 {batchLatencies[(int)(hot.Count * 0.99)]:F1} ms (4 batches in flight)");

// ---- 3. reports: summary tables vs base tables
await using var data = NpgsqlDataSource.Create(postgres);
await data.CreateCommand($"vacuum analyze {Schema}.orders, {Schema}.order_lines, {Schema}.daily_sales, {Schema}.daily_product_sales, {Schema}.monthly_product_sales, {Schema}.products").ExecuteNonQueryAsync();
var year = new ReportRange(Shop, yearStart, today);
var month = new ReportRange(Shop, today.AddDays(-29), today);
string Between(ReportRange r) => $"o.shop_id = '{Shop}' and o.counted and o.currency = 'USD' and (o.created_at at time zone 'Asia/Bangkok')::date between '{r.From:yyyy-MM-dd}' and '{r.To:yyyy-MM-dd}'";
var cases = new (string Name, Func<Task> Summary, string Naive)[]
{
    ("sales by day, a year", () => reports.GetSalesAsync(year, SalesInterval.Day),
        $"select (o.created_at at time zone 'Asia/Bangkok')::date, sum(l.quantity * l.unit_price), count(distinct o.order_id), sum(l.quantity) from {Schema}.orders o join {Schema}.order_lines l using (shop_id, order_id) where {Between(year)} group by 1"),
    ("sales by month, a year", () => reports.GetSalesAsync(year, SalesInterval.Month),
        $"select date_trunc('month', o.created_at at time zone 'Asia/Bangkok'), sum(l.quantity * l.unit_price), count(distinct o.order_id), sum(l.quantity) from {Schema}.orders o join {Schema}.order_lines l using (shop_id, order_id) where {Between(year)} group by 1"),
    ("profit per product, a year", () => reports.GetProfitAsync(year, 50),
        $"select l.product_id, sum(l.quantity * l.unit_price), sum(l.quantity * l.unit_cost), sum(l.quantity) from {Schema}.orders o join {Schema}.order_lines l using (shop_id, order_id) where {Between(year)} group by 1 order by 2 desc limit 50"),
    ("platform comparison, a year", () => reports.GetPlatformsAsync(year),
        $"select o.platform, sum(l.quantity * l.unit_price), sum(l.quantity * l.unit_cost), count(distinct o.order_id), sum(l.quantity) from {Schema}.orders o join {Schema}.order_lines l using (shop_id, order_id) where {Between(year)} group by 1"),
    ("dashboard, 30 days vs previous 30", () => reports.GetDashboardAsync(month, 5),
        $"select sum(l.quantity * l.unit_price), count(distinct o.order_id), sum(l.quantity) from {Schema}.orders o join {Schema}.order_lines l using (shop_id, order_id) where {Between(month)}; "
        + $"select sum(l.quantity * l.unit_price), count(distinct o.order_id) from {Schema}.orders o join {Schema}.order_lines l using (shop_id, order_id) where {Between(new ReportRange(Shop, month.From.AddDays(-30), month.From.AddDays(-1)))}; "
        + $"select l.product_id, sum(l.quantity * l.unit_price) from {Schema}.orders o join {Schema}.order_lines l using (shop_id, order_id) where {Between(month)} group by 1 order by 2 desc limit 5"),
    ("dashboard, a year vs previous year", () => reports.GetDashboardAsync(year, 5),
        $"select sum(l.quantity * l.unit_price), count(distinct o.order_id), sum(l.quantity) from {Schema}.orders o join {Schema}.order_lines l using (shop_id, order_id) where {Between(year)}; "
        + $"select l.product_id, sum(l.quantity * l.unit_price) from {Schema}.orders o join {Schema}.order_lines l using (shop_id, order_id) where {Between(year)} group by 1 order by 2 desc limit 5"),
    ("at-risk, dead stock, expiring", () => reports.GetInventoryInsightsAsync(Shop),
        $"select l.product_id, sum(l.quantity) from {Schema}.orders o join {Schema}.order_lines l using (shop_id, order_id) where {Between(month)} group by 1; "
        + $"select l.product_id, max(o.created_at) from {Schema}.orders o join {Schema}.order_lines l using (shop_id, order_id) where o.shop_id = '{Shop}' and o.counted group by 1"),
};

Console.WriteLine($"\nreports over {orderCount + eventCount:N0} orders / {synced.Lines:N0} lines (median of 20 after warm-up):");
Console.WriteLine($"| report | summary tables | base tables (naive) | ratio |");
Console.WriteLine($"| --- | ---: | ---: | ---: |");
foreach (var (name, summary, naive) in cases)
{
    var fast = await Median(20, summary);
    var slow = await Median(3, async () =>
    {
        await using var command = data.CreateCommand(naive);
        await using var reader = await command.ExecuteReaderAsync();
        do
        {
            while (await reader.ReadAsync())
            {
            }
        }
        while (await reader.NextResultAsync());
    });
    Console.WriteLine($"| {name} | {fast:F2} ms | {slow:F0} ms | {slow / fast:F0}x |");
}

return 0;

static async Task<double> Median(int runs, Func<Task> action)
{
    await action();
    var times = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    times.Sort();
    return times[times.Count / 2];
}

int Arg(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

/// <summary>"Now" for the at-risk report: the end of the generated year.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
