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
/// of this machine, client and server sharing its cores).
/// </summary>
public static class IngestionDriver
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = Arg(args, "--requests", 20_000);
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
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = new Uri(address) };
        var body = Encoding.UTF8.GetBytes("{\"type\":\"orders.created\",\"timestamp\":\"2026-11-22T10:00:00Z\",\"data\":{\"shopId\":\"shop-42\",\"orderId\":\"ord-1\",\"platform\":\"shopee\",\"status\":\"paid\",\"currency\":\"USD\",\"lines\":[{\"productId\":\"sku-1\",\"quantity\":2,\"unitPrice\":12.5,\"unitCost\":7.25}]}}");

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; {count:N0} webhooks of {body.Length} bytes, {concurrency} in flight; client and host in one process");
        await Load(client, "/empty", 2_000, concurrency, body, secret, quiet: true);
        await Load(client, "/hooks/orders.created", 2_000, concurrency, body, secret, quiet: true);
        var ceiling = await Load(client, "/empty", count, concurrency, body, secret, label: "HTTP only (empty endpoint, the ceiling)");
        var inbox = await Load(client, "/hooks/orders.created", count, concurrency, body, secret, label: "MapWebhooks: verify + commit to inbox");
        Console.WriteLine($"ratio: {inbox / ceiling:P0} of the HTTP ceiling");

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

    private static int Arg(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
