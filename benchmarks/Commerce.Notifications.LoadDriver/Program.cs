// Fan-out load driver: creation on instance A -> client receipt, to many SignalR connections spread over two
// instances (A and B) sharing Redis, in one run:
//   1. Commerce.Notifications: INotificationService.CreateAsync (PostgreSQL commit, then Redis fan-out to the one
//      instance holding the user's connection, delivered in sequence order).
//   2. Baseline: the stock SignalR Redis backplane (Microsoft.AspNetCore.SignalR.StackExchangeRedis),
//      IHubContext.Clients.User(id).SendAsync from instance A; nothing stored.
//   3. Commerce.Notifications room events (PublishRoomEventAsync; not stored), the like-for-like path to 2.
// Each round runs both systems, the order alternating between rounds (the machine's speed drifts during a run, so a
// ratio is read within one round).
// A warm-up round of both runs first and is not reported.
// Usage: dotnet run -c Release -- [--connections 1000] [--messages 60000] [--concurrency 256] [--rate 2000] [--rounds 2]
//        dotnet run -c Release -- --memory 10000 [--transport sse|signalr|stockhub|idle]   (see ConnectionMemory.cs)
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Commerce.Notifications;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

if (args.Contains("--serve"))
{
    await ConnectionMemory.ServeAsync(
        Environment.GetEnvironmentVariable("COMMERCE_TEST_REDIS") ?? "127.0.0.1:6379",
        Environment.GetEnvironmentVariable("COMMERCE_TEST_POSTGRES") ?? "Host=127.0.0.1;Username=postgres;Password=postgres;Database=commerce");
    return;
}

if (args.Contains("--memory"))
{
    Console.WriteLine("| transport | idle connections | opened in | host RSS before | after | **per connection** | one room event to all |");
    Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    var transport = Array.IndexOf(args, "--transport") is var t and >= 0 ? args[t + 1] : "sse";
    await ConnectionMemory.MeasureAsync(Arg("--memory", 10_000), transport);
    return;
}

var connections = Arg("--connections", 1000);
var messages = Arg("--messages", 60_000);
var concurrency = Arg("--concurrency", 256);
var rate = Arg("--rate", 2000);
var rounds = Arg("--rounds", 2);
var redis = Environment.GetEnvironmentVariable("COMMERCE_TEST_REDIS") ?? "127.0.0.1:6379";
var postgres = Environment.GetEnvironmentVariable("COMMERCE_TEST_POSTGRES") ?? "Host=127.0.0.1;Username=postgres;Password=postgres;Database=commerce";
var schema = "bench_notifications_" + Guid.NewGuid().ToString("N")[..8];

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; Redis and PostgreSQL on the same machine");
Console.WriteLine($"{connections:N0} SignalR connections (half on A, half on B), {messages:N0} messages created on A, {concurrency} in flight\n");
Console.WriteLine($"| path | saturated messages/s | saturated p50 / p99 | p50 at {rate}/s | p99 at {rate}/s | max at {rate}/s |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");

// Round 0 warms both systems up (tiered JIT and PGO reach their final code only after a while under load, and the
// first system to run would pay for it alone); it is run in full and not reported.
var report = false;
for (var round = 0; round <= rounds; round++)
{
    report = round > 0;
    if (report)
    {
        Console.WriteLine($"| round {round} | | | | | |");
    }

    if (round % 2 == 1)
    {
        await CommerceAsync();
        await BaselineAsync();
    }
    else
    {
        await BaselineAsync();
        await CommerceAsync();
    }
}

// 1 and 3: Commerce.Notifications.
async Task CommerceAsync()
{
    await using var a = await StartAsync(commerce: true);
    await using var b = await StartAsync(commerce: true);
    var clients = await ConnectAsync([a, b], "hubs/notifications", join: true);
    var service = a.Services.GetRequiredService<INotificationService>();
    await RunAsync("Commerce.Notifications: stored + fan-out (CreateAsync)", clients, async i =>
        await service.CreateAsync(new NotificationRequest { RecipientId = $"u{i % connections}", Type = "bench", Title = "n" }));
    await RunAsync("Commerce.Notifications: room event (PublishRoomEventAsync)", clients, async i =>
        await service.PublishRoomEventAsync($"shop:{i % connections}", "bench"), room: true);
    foreach (var client in clients)
    {
        await client.Connection.DisposeAsync();
    }

    await using var db = Npgsql.NpgsqlDataSource.Create(postgres);
    await db.CreateCommand($"drop schema {schema} cascade").ExecuteNonQueryAsync();
}

// 2: the stock Redis backplane.
async Task BaselineAsync()
{
    await using var a = await StartAsync(commerce: false);
    await using var b = await StartAsync(commerce: false);
    var clients = await ConnectAsync([a, b], "hubs/baseline", join: false);
    var hub = a.Services.GetRequiredService<IHubContext<BaselineHub>>();
    await RunAsync("baseline: SignalR Redis backplane (Clients.User.SendAsync)", clients, async i =>
        await hub.Clients.User($"u{i % connections}").SendAsync("notification", new BaselineMessage(DateTimeOffset.UtcNow)));
    foreach (var client in clients)
    {
        await client.Connection.DisposeAsync();
    }
}

async Task RunAsync(string name, List<Client> clients, Func<int, Task> send, bool room = false)
{
    foreach (var client in clients)
    {
        client.Latencies.Clear();
    }

    // Warm-up, under the same concurrency as the measurement, so tiered JIT, pools and PostgreSQL's caches are warm
    // for both systems alike.
    var warmup = Math.Min(5_000, messages);
    await Parallel.ForEachAsync(Enumerable.Range(0, warmup), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) => await send(i));
    // The stock backplane subscribes a new connection's user channel after the connection is up, so a burst right
    // after connecting may lose a few messages there: the warm-up does not insist on all of them.
    await WaitAsync(clients, warmup, room, TimeSpan.FromSeconds(10), mustArrive: false);
    foreach (var client in clients)
    {
        client.Latencies.Clear();
    }

    // Saturation: as fast as `concurrency` senders go; throughput until every client has its message.
    var watch = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(0, messages), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) => await send(i));
    await WaitAsync(clients, messages, room);
    watch.Stop();
    var saturated = clients.SelectMany(c => c.Latencies).Order().ToArray();

    // Paced: `rate` messages per second for the same count (capped at 10 s), for latency below saturation.
    foreach (var client in clients)
    {
        client.Latencies.Clear();
    }

    var paced = Math.Min(messages, rate * 10);
    var start = Stopwatch.GetTimestamp();
    var sends = new List<Task>(paced);
    for (var i = 0; i < paced; i++)
    {
        var due = TimeSpan.FromSeconds((double)i / rate) - Stopwatch.GetElapsedTime(start);
        if (due > TimeSpan.Zero)
        {
            await Task.Delay(due);
        }

        sends.Add(send(i));
    }

    await Task.WhenAll(sends);
    await WaitAsync(clients, paced, room);
    var latencies = clients.SelectMany(c => c.Latencies).Order().ToArray();
    if (!report)
    {
        return;
    }

    Console.WriteLine($"| {name} | {messages / watch.Elapsed.TotalSeconds:N0} | {saturated[saturated.Length / 2]:F1} / {saturated[(int)(saturated.Length * 0.99)]:F1} ms | {latencies[latencies.Length / 2]:F1} ms | {latencies[(int)(latencies.Length * 0.99)]:F1} ms | {latencies[^1]:F1} ms |");
}

async Task WaitAsync(List<Client> clients, int expected, bool room, TimeSpan? timeout = null, bool mustArrive = true)
{
    var deadline = Stopwatch.StartNew();
    while (clients.Sum(c => c.Latencies.Count) < expected)
    {
        if (deadline.Elapsed > (timeout ?? TimeSpan.FromMinutes(2)))
        {
            if (!mustArrive)
            {
                return;
            }

            throw new TimeoutException($"received {clients.Sum(c => c.Latencies.Count)} of {expected}");
        }

        await Task.Delay(5);
    }
}

async Task<List<Client>> ConnectAsync(WebApplication[] hosts, string path, bool join)
{
    var clients = new List<Client>();
    await Parallel.ForEachAsync(Enumerable.Range(0, connections), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
    {
        var host = hosts[i % 2];
        var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var connection = new HubConnectionBuilder().WithUrl($"{address}/{path}?user=u{i}&shop={i}").Build();
        var client = new Client(connection);
        if (join)
        {
            connection.On<Notification>("notification", n => client.Latencies.Add((DateTimeOffset.UtcNow - n.CreatedAt).TotalMilliseconds));
        }
        else
        {
            connection.On<BaselineMessage>("notification", n => client.Latencies.Add((DateTimeOffset.UtcNow - n.CreatedAt).TotalMilliseconds));
        }

        connection.On<RoomEvent>("roomEvent", e => client.Latencies.Add((DateTimeOffset.UtcNow - e.At).TotalMilliseconds));
        await connection.StartAsync(ct);
        if (join)
        {
            await connection.InvokeAsync("JoinRoom", $"shop:{i}", ct);
        }

        lock (clients)
        {
            clients.Add(client);
        }
    });
    return clients;
}

async Task<WebApplication> StartAsync(bool commerce)
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Services.AddAuthentication("q").AddScheme<AuthenticationSchemeOptions, QueryUserHandler>("q", null);
    builder.Services.AddAuthorization();
    if (commerce)
    {
        builder.Services.AddCommerceNotifications(o => { o.Schema = schema; o.ChannelPrefix = schema + ":"; }).WithRedis(redis).WithPostgres(postgres);
    }
    else
    {
        builder.Services.AddSignalR().AddStackExchangeRedis(redis, o => o.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal(schema));
        builder.Services.AddSingleton<IUserIdProvider, SubUserIdProvider>();
    }

    var app = builder.Build();
    app.UseAuthentication();
    app.UseAuthorization();
    if (commerce)
    {
        app.MapNotificationsHub("/hubs/notifications").RequireAuthorization();
    }
    else
    {
        app.MapHub<BaselineHub>("/hubs/baseline").RequireAuthorization();
    }

    await app.StartAsync();
    return app;
}

int Arg(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}

sealed record Client(HubConnection Connection)
{
    public ConcurrentBag<double> Latencies { get; } = [];
}

sealed class BaselineHub : Hub;

sealed record BaselineMessage(DateTimeOffset CreatedAt);

sealed class SubUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User.FindFirst("sub")?.Value;
}

sealed class QueryUserHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var user = Request.Query["user"].ToString();
        if (user.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity([new Claim("sub", user), new Claim("shop_id", Request.Query["shop"].ToString())], "q");
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), "q")));
    }
}
