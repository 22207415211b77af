// Memory per idle connection and fan-out time, with the host in a process of its own so its memory is its own:
//   parent: dotnet Commerce.Notifications.LoadDriver.dll --memory 10000 [--transport sse|signalr|stockhub|idle]
//   child (started by the parent): --serve, one Commerce.Notifications host on a free port.
// The parent reads the host's resident memory (VmRSS) after a full GC before and after opening N connections of one
// shop (each in the room shop:1), then publishes one room event and times its arrival at all N.
//   idle is what Kestrel costs per streaming response, stockhub what a stock SignalR hub costs: the floors.
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Commerce.Notifications;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>The host's memory per idle connection, and the time one room event takes to reach all of them.</summary>
internal static class ConnectionMemory
{
    public static async Task ServeAsync(string redis, string postgres)
    {
        var schema = "bench_memory_" + Guid.NewGuid().ToString("N")[..8];
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxConcurrentConnections = null);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAuthentication("q").AddScheme<AuthenticationSchemeOptions, HeaderUserHandler>("q", null);
        builder.Services.AddAuthorization();
        builder.Services.AddSignalR();
        builder.Services.AddCommerceNotifications(o => { o.Schema = schema; o.ChannelPrefix = schema + ":"; }).WithRedis(redis).WithPostgres(postgres);
        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapNotificationStream("/stream").RequireAuthorization();
        app.MapNotificationsHub("/hub").RequireAuthorization();
        app.MapHub<StockHub>("/stockhub").RequireAuthorization();
        app.MapPost("/publish-stock", (Microsoft.AspNetCore.SignalR.IHubContext<StockHub> hub) =>
            hub.Clients.Group("shop:1").SendAsync("roomEvent", new RoomEvent("shop:1", "bench", null, DateTimeOffset.UtcNow)));
        app.MapPost("/publish", (INotificationService service) => service.PublishRoomEventAsync("shop:1", "bench"));
        var idle = new List<HttpResponse>();
        app.MapGet("/idle", async (HttpContext context) =>
        {
            // The floor: an authenticated streaming response that does nothing, what Kestrel itself costs per connection.
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync(": connected\n\n");
            await context.Response.Body.FlushAsync();
            lock (idle)
            {
                idle.Add(context.Response);
            }

            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        }).RequireAuthorization();
        app.MapPost("/publish-idle", async () =>
        {
            HttpResponse[] all;
            lock (idle)
            {
                all = [.. idle];
            }

            foreach (var response in all)
            {
                await response.WriteAsync("event: room\ndata: {}\n\n");
                await response.Body.FlushAsync();
            }
        });
        app.MapPost("/gc", () =>
        {
            System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            return Results.Ok(GC.GetTotalMemory(false));
        });
        await app.StartAsync();
        Console.WriteLine("listening " + app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        await Console.In.ReadLineAsync(); // the parent closes stdin to stop us
        await app.StopAsync();
        await using var db = Npgsql.NpgsqlDataSource.Create(postgres);
        await db.CreateCommand($"drop schema {schema} cascade").ExecuteNonQueryAsync();
    }

    public static async Task MeasureAsync(int count, string transport)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(ConnectionMemory).Assembly.Location);
        start.ArgumentList.Add("--serve");
        using var host = Process.Start(start)!;
        var line = await host.StandardOutput.ReadLineAsync();
        var address = new Uri(line!["listening ".Length..]);
        using var control = new HttpClient { BaseAddress = address };

        var before = await RssAfterGcAsync(control, host);
        var watch = Stopwatch.StartNew();
        var clients = transport is "signalr" or "stockhub" ? await OpenHubsAsync(address, count, transport == "signalr" ? "hub" : "stockhub") : await OpenStreamsAsync(address, count, transport == "idle" ? "idle" : "stream?room=shop:1");
        var opened = watch.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(2)); // let the last ones settle
        var after = await RssAfterGcAsync(control, host);

        watch.Restart();
        await control.PostAsync(transport switch { "idle" => "publish-idle", "stockhub" => "publish-stock", _ => "publish" }, null);
        await Task.WhenAll(clients.Received);
        var fanout = watch.Elapsed;

        Console.WriteLine($"| {transport} | {count:N0} | {opened.TotalSeconds:F1} s | {before / 1048576.0:F0} MB | {after / 1048576.0:F0} MB | **{(after - before) / (double)count / 1024:F1} KB** | {fanout.TotalMilliseconds:F0} ms |");
        host.StandardInput.Close();
        await host.WaitForExitAsync();
        await clients.DisposeAsync();
    }

    private static async Task<long> RssAfterGcAsync(HttpClient control, Process host)
    {
        await control.PostAsync("gc", null);
        await Task.Delay(500);
        foreach (var line in await File.ReadAllLinesAsync($"/proc/{host.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmRSS");
    }

    /// <summary>Raw-socket SSE clients: each sends its request and waits for the first room event.</summary>
    private static async Task<Clients> OpenStreamsAsync(Uri address, int count, string path)
    {
        var sockets = new Socket[count];
        var received = new Task[count];
        var opened = new TaskCompletionSource[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync("127.0.0.1", address.Port, ct);
            var request = $"GET /{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-User: u{i}\r\nX-Shop: 1\r\nAccept: text/event-stream\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), ct);
            sockets[i] = socket;
            opened[i] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            received[i] = ReadUntilAsync(socket, opened[i]);
            await opened[i].Task;
        });
        return new Clients(received, async () =>
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }

            await Task.CompletedTask;
        });
    }

    private static async Task ReadUntilAsync(Socket socket, TaskCompletionSource opened)
    {
        var buffer = new byte[2048];
        var seen = new StringBuilder();
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer);
            if (read == 0)
            {
                throw new IOException("the stream ended");
            }

            seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
            var text = seen.ToString();
            if (text.Contains(": connected", StringComparison.Ordinal))
            {
                opened.TrySetResult();
            }

            if (text.Contains("event: room", StringComparison.Ordinal))
            {
                return;
            }

            if (seen.Length > 4096)
            {
                seen.Remove(0, seen.Length - 64);
            }
        }
    }

    private static async Task<Clients> OpenHubsAsync(Uri address, int count, string path)
    {
        var connections = new HubConnection[count];
        var received = new Task[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(address, $"{path}?user=u{i}&shop=1"), o =>
                {
                    // One socket per connection: a negotiate request would leave a keep-alive connection open beside it.
                    o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
                    o.SkipNegotiation = true;
                })
                .Build();
            var got = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            connection.On<RoomEvent>("roomEvent", _ => got.TrySetResult());
            await connection.StartAsync(ct);
            await connection.InvokeAsync("JoinRoom", "shop:1", ct);
            connections[i] = connection;
            received[i] = got.Task;
        });
        return new Clients(received, async () =>
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        });
    }

    private sealed record Clients(Task[] Received, Func<Task> Dispose) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await Dispose();
    }

    /// <summary>Authenticates X-User/X-Shop headers (or ?user=&amp;shop=) as <c>sub</c> and <c>shop_id</c>.</summary>
    /// <summary>The floor for SignalR: a stock hub with an in-process group and no Commerce code.</summary>
    public sealed class StockHub : Microsoft.AspNetCore.SignalR.Hub
    {
        public Task JoinRoom(string room) => Groups.AddToGroupAsync(Context.ConnectionId, room);
    }

    private sealed class HeaderUserHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var user = Request.Headers["X-User"].ToString() is { Length: > 0 } h ? h : Request.Query["user"].ToString();
            if (user.Length == 0)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var shop = Request.Headers["X-Shop"].ToString() is { Length: > 0 } s ? s : Request.Query["shop"].ToString();
            var identity = new ClaimsIdentity([new Claim("sub", user), new Claim("shop_id", shop)], "q");
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), "q")));
        }
    }
}
