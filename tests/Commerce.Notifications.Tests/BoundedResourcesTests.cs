using System.Net.Sockets;
using System.Text;
using Commerce.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Commerce.Notifications.Tests;

/// <summary>Measures this process's memory, so it runs alone.</summary>
[CollectionDefinition(nameof(BoundedResourcesTests), DisableParallelization = true)]
public sealed class MemoryMeasuredAlone;

/// <summary>
/// Memory stays bounded whatever clients and Redis do: a client that reads nothing, a Redis that hangs. Rooms per
/// connection are capped, and the server can take a user out of a room or disconnect it on every instance.
/// </summary>
[Collection(nameof(BoundedResourcesTests))]
public sealed class BoundedResourcesTests(RedisFixture redis, PostgresFixture postgres) : IClassFixture<RedisFixture>, IClassFixture<PostgresFixture>
{
    private static readonly string Payload = new('x', 4000);

    private static long Heap() => GC.GetTotalMemory(forceFullCollection: true);

    /// <summary>Opens an SSE stream on a raw socket and reads nothing from it, as a stalled client does.</summary>
    private static async Task<TcpClient> StalledStreamAsync(TestWebApp host, string user, string shop, string room)
    {
        var client = new TcpClient { ReceiveBufferSize = 4096 };
        await client.ConnectAsync("127.0.0.1", host.Address.Port);
        var request = $"GET /api/notifications/stream?room={Uri.EscapeDataString(room)} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-User: {user}\r\nX-Shop: {shop}\r\nAccept: text/event-stream\r\n\r\n";
        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(request));
        return client;
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task ClientThatReadsNothing_WhileItsRoomIsBusy_DoesNotGrowMemory_AndIsToldToResyncWhenItReads()
    {
        var schema = TestNames.Unique();
        await using var host = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema, o => o.SubscriberBufferSize = 200);
        var service = host.Services.GetRequiredService<INotificationService>();
        using var stalled = await StalledStreamAsync(host, "alice", "s1", "shop:s1");
        await Task.Delay(500); // the stream is open and its room joined
        var before = Heap();

        for (var i = 0; i < 20_000; i++) // 80 MB of room events
        {
            await service.PublishRoomEventAsync("shop:s1", "dashboard_update", new { i, Payload });
        }

        await Task.Delay(2000); // the copies for Redis are sent
        var growth = Heap() - before;
        Assert.True(growth < 30_000_000, $"the stalled client held {growth:N0} bytes");

        // When it reads again, it is told to reload the room rather than fed everything it missed.
        var stream = stalled.GetStream();
        var buffer = new byte[64 * 1024];
        var tail = "";
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var read = await stream.ReadAsync(buffer, deadline.Token);
            Assert.True(read > 0, "the stream ended before a resync");
            var text = tail + Encoding.UTF8.GetString(buffer, 0, read);
            if (text.Contains("event: resync", StringComparison.Ordinal))
            {
                break;
            }

            tail = text[^Math.Min(text.Length, 64)..];
        }
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task PublishingWhileRedisHangs_KeepsMemoryBounded()
    {
        var schema = TestNames.Unique();
        await using var proxy = TcpChaosProxy.Start(redis.EndPoint);
        await using var host = await NotificationHost.StartAsync(proxy.EndPoint + ",asyncTimeout=2000,syncTimeout=2000", postgres.ConnectionString, schema, o => o.PublishQueueCapacity = 1_000);
        var service = host.Services.GetRequiredService<INotificationService>();
        await service.PublishRoomEventAsync("shop:s1", "warmup");
        proxy.Hang();
        var before = Heap();

        for (var i = 0; i < 20_000; i++) // 80 MB that Redis never takes
        {
            await service.PublishRoomEventAsync("shop:s1", "dashboard_update", new { i, Payload });
        }

        var growth = Heap() - before;
        Assert.True(growth < 30_000_000, $"the publish queue held {growth:N0} bytes");
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task RoomsPerConnection_AreCapped_OnBothTransports()
    {
        var schema = TestNames.Unique();
        await using var host = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema, o => o.MaxRoomsPerConnection = 2,
            b => b.Services.AddSingleton<INotificationRoomAuthorizer, AllowEveryRoom>());

        await using var tooMany = await SseRecorder.ConnectAsync(host.Address, "alice", "s1", null, "shop:s1", "user:alice", "shop:s1:orders");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, tooMany.Response!.StatusCode);

        await using var hub = await NotificationHost.ConnectHubAsync(host, "alice", "s1");
        await hub.Connection.InvokeAsync("JoinRoom", "shop:s1");
        await hub.Connection.InvokeAsync("JoinRoom", "shop:s1:orders");
        var error = await Assert.ThrowsAsync<HubException>(() => hub.Connection.InvokeAsync("JoinRoom", "shop:s1:stock"));
        Assert.Contains("at most 2 rooms", error.Message, StringComparison.Ordinal);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task RevokedRights_TheServerRemovesAUserFromARoom_AndDisconnectsIt_OnEveryInstance()
    {
        var schema = TestNames.Unique();
        await using var a = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        await using var b = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        await using var sse = await SseRecorder.ConnectAsync(b.Address, "alice", "s1", null, "shop:s1");
        await using var hub = await NotificationHost.ConnectHubAsync(b, "alice", "s1");
        var disconnected = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Connection.On<System.Text.Json.JsonElement>("disconnected", e => disconnected.TrySetResult(e.GetProperty("reason").GetString()!));
        await hub.Connection.InvokeAsync("JoinRoom", "shop:s1");
        var service = a.Services.GetRequiredService<INotificationService>();
        var streams = a.Services.GetRequiredService<INotificationStreams>();
        await service.PublishRoomEventAsync("shop:s1", "before");
        await Eventually.TrueAsync(() => sse.Events.Any(e => e.Event == "room") && !hub.RoomEvents.IsEmpty);

        await streams.RemoveFromRoomAsync("alice", "shop:s1");
        await Task.Delay(500); // the control message crosses Redis
        await service.PublishRoomEventAsync("shop:s1", "after");
        await service.CreateAsync(new NotificationRequest { RecipientId = "alice", Type = "t", Title = "still hers" });
        await Eventually.TrueAsync(() => sse.Notifications.Any() && !hub.Notifications.IsEmpty);
        Assert.Single(sse.Events, e => e.Event == "room");
        Assert.Single(hub.RoomEvents);

        await streams.DisconnectAsync("alice", "account suspended");
        Assert.Equal("account suspended", await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(15)));
        await Eventually.TrueAsync(() => hub.Connection.State == HubConnectionState.Disconnected);
        await Eventually.TrueAsync(() => sse.Events.Any(e => e.Event == "disconnected"));
    }

    private sealed class AllowEveryRoom : INotificationRoomAuthorizer
    {
        public ValueTask<bool> CanJoinAsync(System.Security.Claims.ClaimsPrincipal user, string room, CancellationToken cancellationToken) => ValueTask.FromResult(true);
    }
}
