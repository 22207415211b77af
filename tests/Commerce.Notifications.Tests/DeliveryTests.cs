using Commerce.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Commerce.Notifications.Tests;

/// <summary>Delivery across real Kestrel instances sharing Redis and PostgreSQL.</summary>
public sealed class DeliveryTests(RedisFixture redis, PostgresFixture postgres) : IClassFixture<RedisFixture>, IClassFixture<PostgresFixture>
{
    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task ANotificationCreatedOnInstanceA_ReachesSignalRAndSseClientsOnInstanceB()
    {
        var schema = TestNames.Unique();
        await using var a = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        await using var b = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        await using var hub = await NotificationHost.ConnectHubAsync(b, "alice");
        await using var sse = await SseRecorder.ConnectAsync(b.Address, "alice");
        await using var bobHub = await NotificationHost.ConnectHubAsync(b, "bob");

        var service = a.Services.GetRequiredService<INotificationService>();
        var created = await service.CreateAsync(new NotificationRequest
        {
            RecipientId = "alice",
            Type = "order_status",
            Title = "Order 1001 shipped",
            Body = "It is on its way.",
            Data = System.Text.Json.JsonDocument.Parse("""{"orderId":"1001"}""").RootElement,
        });

        await Eventually.TrueAsync(() => hub.Notifications.Count == 1 && sse.Notifications.Count() == 1, because: "both clients on B get it");
        var viaHub = Assert.Single(hub.Notifications);
        Assert.Equal(created.Id, viaHub.Id);
        Assert.Equal(1, viaHub.Sequence);
        Assert.Equal("1001", viaHub.Data!.Value.GetProperty("orderId").GetString());
        var viaSse = Assert.Single(sse.Events, e => e.Event == "notification");
        Assert.Equal("1", viaSse.Id);
        Assert.Equal("Order 1001 shipped", Assert.Single(sse.Notifications).Title);
        Assert.Equal("text/event-stream", sse.Response!.Content.Headers.ContentType!.MediaType);
        Assert.Equal("no", sse.Response.Headers.GetValues("X-Accel-Buffering").Single());
        Assert.Empty(bobHub.Notifications);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task ManyNotifications_ArriveInOrder_WithoutDuplicates_OnBothTransports()
    {
        var schema = TestNames.Unique();
        await using var a = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        await using var b = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        await using var hub = await NotificationHost.ConnectHubAsync(b, "alice");
        await using var sse = await SseRecorder.ConnectAsync(b.Address, "alice");
        var services = new[] { a, b }.Select(h => h.Services.GetRequiredService<INotificationService>()).ToArray();

        // Created from both instances at once, 8 in flight.
        await Parallel.ForEachAsync(Enumerable.Range(0, 300), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await services[i % 2].CreateAsync(new NotificationRequest { RecipientId = "alice", Type = "t", Title = $"n{i}" }, ct));

        var expected = Enumerable.Range(1, 300).Select(i => (long)i).ToArray();
        await Eventually.TrueAsync(() => hub.Notifications.Count >= 300 && sse.Notifications.Count() >= 300, TimeSpan.FromSeconds(30));
        Assert.Equal(expected, hub.Sequences);
        Assert.Equal(expected, sse.Sequences);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task RedisRestart_WhileNotificationsAreCreated_LosesNothing_AndKeepsOrder()
    {
        var schema = TestNames.Unique();
        await using var proxyA = TcpChaosProxy.Start(redis.EndPoint);
        await using var proxyB = TcpChaosProxy.Start(redis.EndPoint);
        await using var a = await NotificationHost.StartAsync(proxyA.EndPoint + ",connectTimeout=1000,syncTimeout=1000", postgres.ConnectionString, schema, o => o.CatchUpInterval = TimeSpan.FromSeconds(30));
        await using var b = await NotificationHost.StartAsync(proxyB.EndPoint + ",connectTimeout=1000,syncTimeout=1000", postgres.ConnectionString, schema, o => o.CatchUpInterval = TimeSpan.FromSeconds(30));
        await using var hub = await NotificationHost.ConnectHubAsync(b, "alice");
        await using var sse = await SseRecorder.ConnectAsync(b.Address, "alice", "s1", null, "shop:s1");
        var service = a.Services.GetRequiredService<INotificationService>();

        var creating = Task.Run(async () =>
        {
            for (var i = 0; i < 150; i++)
            {
                await service.CreateAsync(new NotificationRequest { RecipientId = "alice", Type = "t", Title = $"n{i}" });
                await Task.Delay(10);
            }
        });

        await Eventually.TrueAsync(() => hub.Notifications.Count >= 20, because: "delivery is under way before the outage");
        proxyA.Refuse();   // both instances lose Redis, as when it restarts
        proxyB.Refuse();
        await Task.Delay(TimeSpan.FromSeconds(2));
        proxyA.Restore();
        proxyB.Restore();
        await creating;

        var expected = Enumerable.Range(1, 150).Select(i => (long)i).ToArray();
        try
        {
            await Eventually.TrueAsync(() => hub.Notifications.Count >= 150 && sse.Notifications.Count() >= 150, TimeSpan.FromSeconds(30),
                because: "every notification reaches both clients (catch-up after the reconnect)");
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message} hub missing [{string.Join(",", expected.Except(hub.Sequences))}], sse missing [{string.Join(",", expected.Except(sse.Sequences))}]");
        }

        Assert.Equal(expected, hub.Sequences);
        Assert.Equal(expected, sse.Sequences);
        await Eventually.TrueAsync(() => sse.Events.Any(e => e.Event == "resync" && e.Data.Contains("shop:s1", StringComparison.Ordinal)),
            because: "room members are told they may have missed room events");
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Sse_ResumesFromLastEventId_WithWhatWasMissed_ThenLive_WithoutDuplicates()
    {
        var schema = TestNames.Unique();
        await using var a = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        await using var b = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        var service = a.Services.GetRequiredService<INotificationService>();

        var first = await SseRecorder.ConnectAsync(b.Address, "alice");
        for (var i = 0; i < 5; i++)
        {
            await service.CreateAsync(new NotificationRequest { RecipientId = "alice", Type = "t", Title = $"n{i}" });
        }

        await Eventually.TrueAsync(() => first.Notifications.Count() == 5);
        var lastEventId = first.Events.Last(e => e.Event == "notification").Id;
        await first.DisposeAsync();   // the browser loses the connection

        for (var i = 5; i < 12; i++)
        {
            await service.CreateAsync(new NotificationRequest { RecipientId = "alice", Type = "t", Title = $"n{i}" });
        }

        await using var resumed = await SseRecorder.ConnectAsync(a.Address, "alice", "s1", lastEventId, "shop:s1");   // reconnects to the other instance
        await Eventually.TrueAsync(() => resumed.Notifications.Count() == 7);
        await service.CreateAsync(new NotificationRequest { RecipientId = "alice", Type = "t", Title = "live" });
        await Eventually.TrueAsync(() => resumed.Notifications.Count() == 8);

        Assert.Equal(Enumerable.Range(6, 8).Select(i => (long)i), resumed.Sequences);
        Assert.Equal("live", resumed.Notifications.Last().Title);
        Assert.Contains(resumed.Events, e => e.Event == "resync" && e.Data.Contains("shop:s1", StringComparison.Ordinal));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Hub_ConnectWithAfter_OrResume_DeliversWhatWasMissed()
    {
        var schema = TestNames.Unique();
        await using var a = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        var service = a.Services.GetRequiredService<INotificationService>();
        for (var i = 0; i < 6; i++)
        {
            await service.CreateAsync(new NotificationRequest { RecipientId = "alice", Type = "t", Title = $"n{i}" });
        }

        await using var fresh = await NotificationHost.ConnectHubAsync(a, "alice");
        await using var after = await NotificationHost.ConnectHubAsync(a, "alice", after: 2);
        await Eventually.TrueAsync(() => after.Notifications.Count == 4);
        Assert.Equal(new long[] { 3, 4, 5, 6 }, after.Sequences);

        await fresh.Connection.InvokeAsync("Resume", 4L);
        await Eventually.TrueAsync(() => fresh.Notifications.Count == 2);
        await service.CreateAsync(new NotificationRequest { RecipientId = "alice", Type = "t", Title = "live" });
        await Eventually.TrueAsync(() => fresh.Notifications.Count == 3 && after.Notifications.Count == 5);
        Assert.Equal(new long[] { 5, 6, 7 }, fresh.Sequences);
        Assert.Equal(new long[] { 3, 4, 5, 6, 7 }, after.Sequences);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Rooms_DeliverAcrossInstances_AndAUserCannotJoinAnotherShopsRoom()
    {
        var schema = TestNames.Unique();
        await using var a = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        await using var b = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        await using var seller = await NotificationHost.ConnectHubAsync(b, "alice", shop: "s1");
        await using var other = await NotificationHost.ConnectHubAsync(b, "mallory", shop: "s2");
        await seller.Connection.InvokeAsync("JoinRoom", "shop:s1");

        var denied = await Assert.ThrowsAsync<HubException>(() => other.Connection.InvokeAsync("JoinRoom", "shop:s1"));
        Assert.Contains("Not allowed", denied.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<HubException>(() => other.Connection.InvokeAsync("JoinRoom", "admin"));
        await using var sseDenied = await SseRecorder.ConnectAsync(b.Address, "mallory", "s2", null, "shop:s1");
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, sseDenied.Response!.StatusCode);
        await using var sseNoUser = await SseRecorder.ConnectAsync(b.Address, "", null, null);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, sseNoUser.Response!.StatusCode);
        await using var sseSeller = await SseRecorder.ConnectAsync(b.Address, "bob", "s1", null, "shop:s1");

        await a.Services.GetRequiredService<INotificationService>().PublishRoomEventAsync("shop:s1", "dashboard_update", new { revenue = 12.5m });
        await Eventually.TrueAsync(() => seller.RoomEvents.Count == 1 && sseSeller.Events.Any(e => e.Event == "room"));
        var roomEvent = Assert.Single(seller.RoomEvents);
        Assert.Equal("dashboard_update", roomEvent.Type);
        Assert.Equal(12.5m, roomEvent.Data!.Value.GetProperty("revenue").GetDecimal());
        await Task.Delay(300);
        Assert.Empty(other.RoomEvents);
        Assert.Single(seller.RoomEvents);   // no echo of the same event
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Sse_SendsHeartbeats_AndRejectsABadLastEventId()
    {
        var schema = TestNames.Unique();
        await using var a = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema, o => o.HeartbeatInterval = TimeSpan.FromMilliseconds(200));
        await using var sse = await SseRecorder.ConnectAsync(a.Address, "alice");
        await Eventually.TrueAsync(() => sse.Heartbeats >= 2);
        await using var bad = await SseRecorder.ConnectAsync(a.Address, "alice", lastEventId: "yesterday");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.Response!.StatusCode);
        Assert.Equal("application/problem+json", bad.Response.Content.Headers.ContentType!.MediaType);
    }
}
