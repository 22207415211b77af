// End-to-end load driver for a hot shop: ./build.sh bench host [--orders 4000] [--rate 1000] [--seconds 10] [--warmup 20]
//
// Starts two instances of the sample host (its Release build, Development settings) on one Redis and one PostgreSQL,
// and sends signed orders.created webhooks for one fresh shop to both in turn, as a storefront would during a flash
// sale. An order counts as done when the shop's report (GET /api/reports/metrics, read from the first instance, cached
// and invalidated across instances) shows it.
// 1. Throughput: --orders webhooks with 64 in flight; orders/s from the first send to the report showing them all.
// 2. Visibility: --rate webhooks/s for --seconds (open loop), the report polled every 20 ms; the time from an order's
//    send to the first poll that shows at least that many orders, p50 and p99.
// Both run after --warmup seconds of the first phase's load on a throwaway shop (0: measure a cold start).
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Commerce.Webhooks;

var orders = Arg("--orders", 4000);
var rate = Arg("--rate", 1000);
var seconds = Arg("--seconds", 10);
var warmup = Arg("--warmup", 20);
const string Secret = "whsec_ZGV2ZWxvcG1lbnQtb25seS13ZWJob29rLXNlY3JldA==";   // appsettings.Development.json
var root = FindRoot();
var hostDll = Path.Combine(root, "artifacts", "bin", "Commerce.SampleHost", "release", "Commerce.SampleHost.dll");
var ports = new[] { 3101, 3102 };
var hosts = ports.Select(p => StartHost(hostDll, p)).ToList();
try
{
    var clients = ports.Select(p => new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{p}/"), Timeout = TimeSpan.FromSeconds(60) }).ToArray();
    foreach (var client in clients)
    {
        await WaitReadyAsync(client);
    }

    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; 2 host instances, Redis and PostgreSQL on the same machine");
    if (warmup > 0)
    {
        // A host that has served for a while runs tier-1 code; the first seconds of a process run code the JIT is
        // still re-compiling (on two cores its background thread takes a seventh of the machine), so both phases
        // below start after --warmup seconds of the same load on a throwaway shop. Pass --warmup 0 for a cold start.
        var (count, _, warmed) = await BurstAsync(TimeSpan.FromSeconds(warmup), int.MaxValue);
        Console.WriteLine($"warm-up: {count:N0} orders for a throwaway shop, in the report after {warmed:F1} s ({count / warmed:N0}/s)");
        await CheckpointAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
    }

    var (_, acked, visible) = await BurstAsync(TimeSpan.MaxValue, orders);
    Console.WriteLine($"throughput: {orders:N0} order webhooks for one shop acknowledged in {acked:F1} s ({orders / acked:N0}/s), all in the report after {visible:F1} s = {orders / visible:N0} orders/s end to end");

    // Sends one shop's orders to both hosts in turn, 64 in flight, for a while or up to a count; then waits for the
    // report to show them all. Returns how many were sent, when the last was acknowledged and when all were shown.
    async Task<(int Count, double Acked, double Visible)> BurstAsync(TimeSpan duration, int limit)
    {
        var shop = $"hot-{Guid.NewGuid():N}"[..16];
        var reader = await ReaderAsync(clients[0], shop);
        var clock = Stopwatch.StartNew();
        var next = -1;
        var sentCount = 0;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            int i;
            while (clock.Elapsed < duration && (i = Interlocked.Increment(ref next)) < limit)
            {
                await SendAsync(clients[i % 2], shop, i);
                Interlocked.Increment(ref sentCount);
            }
        }));
        var ackedAt = clock.Elapsed.TotalSeconds;
        while (await CountAsync(reader, shop) < sentCount)
        {
            await Task.Delay(20);
        }

        return (sentCount, ackedAt, clock.Elapsed.TotalSeconds);
    }

    var shop2 = $"hot-{Guid.NewGuid():N}"[..16];
    var watch = Stopwatch.StartNew();
    var reader2 = await ReaderAsync(clients[0], shop2);
    var total = rate * seconds;
    var sent = new double[total];
    var seen = new double[total];
    var acks = new double[total];
    var done = false;
    var poll = Task.Run(async () =>
    {
        var shown = 0;
        while (!done || shown < total)
        {
            var count = await CountAsync(reader2, shop2);
            var at = watch.Elapsed.TotalMilliseconds;
            for (; shown < Math.Min(count, total); shown++)
            {
                seen[shown] = at;
            }

            await Task.Delay(20);
        }
    });
    watch.Restart();
    var sends = new List<Task>(total);
    for (var i = 0; i < total; i++)
    {
        var due = i * 1000.0 / rate;
        var wait = due - watch.Elapsed.TotalMilliseconds;
        if (wait > 1)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(wait));
        }

        sent[i] = due;   // from when it was due, so a slow answer can't hide the orders queued behind it
        var n = i;
        sends.Add(Task.Run(async () =>
        {
            await SendAsync(clients[n % 2], shop2, n);   // a refused webhook fails the run instead of leaving the report short
            acks[n] = watch.Elapsed.TotalMilliseconds - due;
        }));
    }

    await Task.WhenAll(sends);
    done = true;
    await poll;
    var latencies = seen.Zip(sent, (s, d) => s - d).Order().ToArray();
    Console.WriteLine($"visibility at {rate:N0} orders/s for {seconds} s: p50 {latencies[total / 2]:F0} ms, p99 {latencies[(int)(total * 0.99)]:F0} ms, max {latencies[^1]:F0} ms (send to report; the report is polled every 20 ms)");
    var ackTimes = acks.Order().ToArray();
    Console.WriteLine($"acknowledgements at {rate:N0}/s: p50 {ackTimes[total / 2]:F0} ms, p99 {ackTimes[(int)(total * 0.99)]:F0} ms");
    return 0;
}
finally
{
    foreach (var host in hosts)
    {
        host.Kill(entireProcessTree: true);
    }
}

static async Task SendAsync(HttpClient client, string shop, int i)
{
    var now = DateTimeOffset.UtcNow;
    var body = JsonSerializer.SerializeToUtf8Bytes(new
    {
        type = "orders.created",
        timestamp = now,
        data = new
        {
            shopId = shop, orderId = $"o-{i}", platform = (i % 3) switch { 0 => "shopee", 1 => "lazada", _ => "tiktok" }, status = "paid", currency = "THB",
            createdAt = now, updatedAt = now, platformFee = 1.5m,
            lines = new[] { new { productId = $"p-{i % 50}", quantity = 1 + (i % 3), unitPrice = 99.00m, unitCost = 60.00m } },
        },
    });
    var id = $"{shop}-{i}";
    using var request = new HttpRequestMessage(HttpMethod.Post, "api/webhooks/orders/created") { Content = new ByteArrayContent(body) };
    request.Content.Headers.ContentType = new("application/json");
    request.Headers.Add("webhook-id", id);
    request.Headers.Add("webhook-timestamp", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
    request.Headers.Add("webhook-signature", StandardWebhookSigner.Sign(id, now, body, WebhookSecret.Parse(Secret)));
    using var response = await client.SendAsync(request);
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"webhook {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}

// Flushes what earlier work left dirty (the warm-up, or a test run's thousands of schemas), so a checkpoint's sync of it
// doesn't stall the commits of the phases measured next; the checkpoints their own writes cause still count.
static async Task CheckpointAsync()
{
    var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
        ?? "Host=localhost;Port=5432;Username=postgres;Password=postgres;Database=commerce";
    try
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(connectionString);
        await using var checkpoint = dataSource.CreateCommand("checkpoint");
        checkpoint.CommandTimeout = 300;
        await checkpoint.ExecuteNonQueryAsync();
    }
    catch (Npgsql.NpgsqlException e)
    {
        Console.WriteLine($"(no checkpoint before measuring: {e.Message})");
    }
}

static async Task<HttpClient> ReaderAsync(HttpClient host, string shop)
{
    using var minted = await host.PostAsJsonAsync("api/dev/token", new { shopId = shop, userId = "bench-seller", role = "seller" });
    var token = (await minted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
    var client = new HttpClient { BaseAddress = host.BaseAddress };
    client.DefaultRequestHeaders.Authorization = new("Bearer", token);
    return client;
}

static async Task<int> CountAsync(HttpClient reader, string shop) =>
    (await reader.GetFromJsonAsync<JsonElement>($"api/reports/metrics?shopId={shop}")).GetProperty("totalOrders").GetInt32();

static async Task WaitReadyAsync(HttpClient client)
{
    for (var i = 0; i < 120; i++)
    {
        try
        {
            using var ready = await client.GetAsync("health/ready");
            if (ready.IsSuccessStatusCode)
            {
                return;
            }
        }
        catch (HttpRequestException)
        {
        }

        await Task.Delay(500);
    }

    throw new InvalidOperationException($"the host at {client.BaseAddress} never got ready");
}

static Process StartHost(string dll, int port)
{
    var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
    {
        WorkingDirectory = Path.GetDirectoryName(dll)!,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
    start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
    start.Environment["Logging__LogLevel__Default"] = "Warning";
    var process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[host {port}] {e.Data}"); };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Commerce.sln")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? throw new InvalidOperationException("run from inside the repository");
}

int Arg(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
