// End-to-end load driver for a hot shop: ./build.sh bench host [--orders 4000] [--rate 1000] [--seconds 10]
//
// Starts two instances of the sample host (its Release build, Development settings) on one Redis and one PostgreSQL,
// and sends signed orders.created webhooks for one fresh shop to both in turn, as a storefront would during a flash
// sale. An order counts as done when the shop's report (GET /api/reports/metrics, read from the first instance, cached
// and invalidated across instances) shows it.
// 1. Throughput: --orders webhooks with 64 in flight; orders/s from the first send to the report showing them all.
// 2. Visibility: --rate webhooks/s for --seconds (open loop), the report polled every 20 ms; the time from an order's
//    send to the first poll that shows at least that many orders, p50 and p99.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Commerce.Webhooks;

var orders = Arg("--orders", 4000);
var rate = Arg("--rate", 1000);
var seconds = Arg("--seconds", 10);
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
    var shop1 = $"hot-{Guid.NewGuid():N}"[..16];
    var reader1 = await ReaderAsync(clients[0], shop1);
    var watch = Stopwatch.StartNew();
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < orders)
        {
            await SendAsync(clients[i % 2], shop1, i);
        }
    }));
    var acked = watch.Elapsed.TotalSeconds;
    while (await CountAsync(reader1, shop1) < orders)
    {
        await Task.Delay(20);
    }

    var visible = watch.Elapsed.TotalSeconds;
    Console.WriteLine($"throughput: {orders:N0} order webhooks for one shop acknowledged in {acked:F1} s ({orders / acked:N0}/s), all in the report after {visible:F1} s = {orders / visible:N0} orders/s end to end");

    var shop2 = $"hot-{Guid.NewGuid():N}"[..16];
    var reader2 = await ReaderAsync(clients[0], shop2);
    var total = rate * seconds;
    var sent = new double[total];
    var seen = new double[total];
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
        sends.Add(SendAsync(clients[n % 2], shop2, n));
    }

    await Task.WhenAll(sends);
    done = true;
    await poll;
    var latencies = seen.Zip(sent, (s, d) => s - d).Order().ToArray();
    Console.WriteLine($"visibility at {rate:N0} orders/s for {seconds} s: p50 {latencies[total / 2]:F0} ms, p99 {latencies[(int)(total * 0.99)]:F0} ms, max {latencies[^1]:F0} ms (send to report; the report is polled every 20 ms)");
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
