using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Commerce.Webhooks.Benchmarks;

/// <summary>
/// End-to-end ingestion: N signed webhooks with C in flight to a real Kestrel host, each verified and committed to the
/// PostgreSQL inbox before its 2xx; against the same load to an endpoint that answers 202 at once (the HTTP ceiling
/// of this machine, client and server sharing its cores). Then an open-loop phase: webhooks sent at a fixed rate (half
/// of a third of the measured ceiling, unless <c>--rate</c> is given), each latency measured from when it was due to be sent, so
/// a slow answer can't hide the requests queued behind it.
/// </summary>
public static class IngestionDriver
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = Arg(args, "--requests", 50_000);
        var concurrency = Arg(args, "--concurrency", 64);
        var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") ?? "Host=localhost;Username=postgres;Password=postgres;Database=commerce";
        var secret = WebhookSecret.Generate();
        var schema = "webhooks_bench";

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddCommerceWebhooks(o =>
            {
                o.Schema = schema;
                o.RunInboxProcessor = false; // measure receiving; processing is the handlers' cost
                o.Sender.RunDispatcher = false;
            })
            .WithPostgres(postgres)
            .AddSource("bench", s => s.Secrets = [secret.Export()]);
        await using var app = builder.Build();
        app.MapWebhooks("/hooks/{type}", "bench");
        app.MapPost("/empty", () => Results.Accepted());
        await app.StartAsync();
        await using (var truncate = new Npgsql.NpgsqlConnection(postgres))
        {
            await truncate.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand($"truncate \"{schema}\".inbox", truncate);
            await command.ExecuteNonQueryAsync(); // every run starts from an empty inbox, so runs compare
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = new Uri(address) };
        var body = Encoding.UTF8.GetBytes("{\"type\":\"orders.created\",\"timestamp\":\"2026-11-22T10:00:00Z\",\"data\":{\"shopId\":\"shop-42\",\"orderId\":\"ord-1\",\"platform\":\"shopee\",\"status\":\"paid\",\"currency\":\"USD\",\"lines\":[{\"productId\":\"sku-1\",\"quantity\":2,\"unitPrice\":12.5,\"unitCost\":7.25}]}}");

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; {count:N0} webhooks of {body.Length} bytes, {concurrency} in flight; client and host in one process");
        await Load(client, "/empty", 2_000, concurrency, body, secret, quiet: true);
        await Load(client, "/hooks/orders.created", 2_000, concurrency, body, secret, quiet: true);
        var ceiling = await Load(client, "/empty", count, concurrency, body, secret, label: "HTTP only (empty endpoint, the ceiling)");
        var inbox = await Load(client, "/hooks/orders.created", count, concurrency, body, secret, label: "MapWebhooks: verify + commit to inbox");
        Console.WriteLine($"ratio: {inbox / ceiling:P0} of the HTTP ceiling");
        // The aim: at least a third of the ceiling, with p99 under 20 ms at half that (a sixth of the ceiling).
        var rate = Arg(args, "--rate", (int)(ceiling / 6));
        await OpenLoop(client, "/empty", rate, Math.Max(rate * 4, 2_000), body, secret, "HTTP only at a fixed rate");
        await OpenLoop(client, "/hooks/orders.created", rate, Math.Max(rate * 4, 2_000), body, secret, "MapWebhooks at a fixed rate");

        await using var connection = new Npgsql.NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var countCommand = new Npgsql.NpgsqlCommand($"select count(*) from \"{schema}\".inbox", connection);
        Console.WriteLine($"inbox rows: {(long)(await countCommand.ExecuteScalarAsync())!:N0}");
        await app.StopAsync();
        return 0;
    }

    private static async Task<double> Load(HttpClient client, string path, int count, int concurrency, byte[] body, WebhookSecret secret, string label = "", bool quiet = false)
    {
        var latencies = new double[count];
        var failures = 0;
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var id = $"msg_{Guid.NewGuid():N}";
                var now = DateTimeOffset.UtcNow;
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
                request.Headers.Add(WebhookHeaders.Id, id);
                request.Headers.Add(WebhookHeaders.Timestamp, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
                request.Headers.Add(WebhookHeaders.Signature, StandardWebhookSigner.Sign(id, now, body, secret));
                var started = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(request);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        var perSecond = count / watch.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        if (!quiet)
        {
            Console.WriteLine($"{label}: {perSecond:N0} webhooks/s, acknowledgement p50 {latencies[count / 2]:F2} ms, p99 {latencies[(int)(count * 0.99)]:F2} ms, non-202: {failures}");
        }

        return perSecond;
    }

    /// <summary>Sends <paramref name="count"/> webhooks at <paramref name="rate"/> per second, whatever the answers' pace.</summary>
    private static async Task OpenLoop(HttpClient client, string path, int rate, int count, byte[] body, WebhookSecret secret, string label)
    {
        var latencies = new double[count];
        var failures = 0;
        var started = Stopwatch.GetTimestamp();
        var sends = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            // Sleep in ticks of about a millisecond and send whatever fell due meanwhile: spinning would take a core
            // from the server under test.
            var due = started + (long)(i * (double)Stopwatch.Frequency / rate);
            while (Stopwatch.GetTimestamp() < due)
            {
                await Task.Delay(1);
            }

            var index = i;
            sends.Add(Task.Run(async () =>
            {
                var id = $"msg_{Guid.NewGuid():N}";
                var now = DateTimeOffset.UtcNow;
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
                request.Headers.Add(WebhookHeaders.Id, id);
                request.Headers.Add(WebhookHeaders.Timestamp, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
                request.Headers.Add(WebhookHeaders.Signature, StandardWebhookSigner.Sign(id, now, body, secret));
                using var response = await client.SendAsync(request);
                latencies[index] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    Interlocked.Increment(ref failures);
                }
            }));
        }

        await Task.WhenAll(sends);
        var achieved = count / Stopwatch.GetElapsedTime(started).TotalSeconds;
        Array.Sort(latencies);
        Console.WriteLine($"{label}: {rate:N0}/s offered, {achieved:N0}/s done, acknowledgement p50 {latencies[count / 2]:F2} ms, p99 {latencies[(int)(count * 0.99)]:F2} ms, non-202: {failures}");
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
