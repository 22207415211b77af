using Commerce.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Commerce.Notifications.Tests;

/// <summary>
/// Nothing lost and nothing twice on any reconnect: an EventSource that drops before its first notification or after
/// room-only traffic, a SignalR client that resumes as the README shows, and a stream opened while PostgreSQL blips.
/// </summary>
public sealed class ReconnectTests(RedisFixture redis, PostgresFixture postgres) : IClassFixture<RedisFixture>, IClassFixture<PostgresFixture>
{
    private static NotificationRequest Request(string user, string title) => new() { RecipientId = user, Type = "t", Title = title };

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Sse_DroppedBeforeItsFirstNotification_ReconnectsWithoutMissingAnything()
    {
        var schema = TestNames.Unique();
        await using var host = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        var service = host.Services.GetRequiredService<INotificationService>();
        await service.CreateAsync(Request("alice", "before the stream"));
        await using var browser = EventSourceClient.Open(host.Address, "alice");
        await Eventually.TrueAsync(() => browser.Opened == 1);

        browser.Drop();
        await service.CreateAsync(Request("alice", "while away 1"));
        await service.CreateAsync(Request("alice", "while away 2"));
        browser.AllowReconnect();
        await Eventually.TrueAsync(() => browser.Notifications.Count == 2);
        await service.CreateAsync(Request("alice", "live"));

        await Eventually.TrueAsync(() => browser.Notifications.Count == 3);
        Assert.Equal(new long[] { 2, 3, 4 }, browser.Sequences);
        Assert.False(browser.Failed);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Sse_DroppedAfterRoomOnlyTraffic_ResumesWhereItWas()
    {
        var schema = TestNames.Unique();
        await using var host = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        var service = host.Services.GetRequiredService<INotificationService>();
        await using var browser = EventSourceClient.Open(host.Address, "alice", "s1", "shop:s1");
        await Eventually.TrueAsync(() => browser.Opened == 1);
        await service.CreateAsync(Request("alice", "first"));
        await Eventually.TrueAsync(() => browser.Notifications.Count == 1);
        for (var i = 0; i < 5; i++)
        {
            await service.PublishRoomEventAsync("shop:s1", "dashboard_update", new { i });
        }

        await Eventually.TrueAsync(() => browser.EventTypes.Count(t => t == "room") == 5);
        browser.Drop();
        await service.CreateAsync(Request("alice", "while away"));
        browser.AllowReconnect();

        await Eventually.TrueAsync(() => browser.Notifications.Count == 2);
        await service.CreateAsync(Request("alice", "live"));
        await Eventually.TrueAsync(() => browser.Notifications.Count == 3);
        Assert.Equal(new long[] { 1, 2, 3 }, browser.Sequences);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Sse_OpenedWhilePostgresIsDown_IsAnsweredWithARetry_AndResumesOnceItIsBack()
    {
        var schema = TestNames.Unique();
        var pg = new Npgsql.NpgsqlConnectionStringBuilder(postgres.ConnectionString);
        await using var proxy = TcpChaosProxy.Start($"{pg.Host}:{pg.Port}");
        pg.Host = "127.0.0.1";
        pg.Port = proxy.Port;
        pg.Timeout = 2;
        await using var host = await NotificationHost.StartAsync(redis.ConnectionString, pg.ConnectionString, schema);
        var direct = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        await using var _ = direct;

        proxy.Refuse();
        await using var browser = EventSourceClient.Open(host.Address, "alice");
        await Eventually.TrueAsync(() => browser.Statuses.Count >= 2, because: "it is told to retry, and does");
        Assert.False(browser.Failed); // EventSource gives up for good on anything but 200
        await direct.Services.GetRequiredService<INotificationService>().CreateAsync(Request("alice", "during the outage"));
        proxy.Restore();

        await Eventually.TrueAsync(() => browser.Opened >= 1, TimeSpan.FromSeconds(30));
        await direct.Services.GetRequiredService<INotificationService>().CreateAsync(Request("alice", "after"));
        await Eventually.TrueAsync(() => browser.Sequences.Contains(2), TimeSpan.FromSeconds(30));
        Assert.All(browser.Statuses, s => Assert.Equal(200, s));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Hub_ResumeFromAnEarlierPosition_DeliversOnlyWhatTheConnectionLacks()
    {
        var schema = TestNames.Unique();
        await using var host = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        var service = host.Services.GetRequiredService<INotificationService>();
        await using var client = await NotificationHost.ConnectHubAsync(host, "alice");
        for (var i = 1; i <= 4; i++)
        {
            await service.CreateAsync(Request("alice", $"n{i}"));
        }

        await Eventually.TrueAsync(() => client.Notifications.Count == 4);

        await client.Connection.InvokeAsync("Resume", 1L);   // a stale position: this connection already sent 2..4
        await service.CreateAsync(Request("alice", "live"));

        await Eventually.TrueAsync(() => client.Sequences.Contains(5));
        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, client.Sequences);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Hub_ReconnectPatternFromTheReadme_MissesNothing_AndRepeatsNothing()
    {
        var schema = TestNames.Unique();
        await using var host = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        await using var proxy = TcpChaosProxy.Start($"127.0.0.1:{host.Address.Port}");
        var service = host.Services.GetRequiredService<INotificationService>();
        var url = new Uri($"http://127.0.0.1:{proxy.Port}/hubs/notifications?user=alice");
        var shown = new System.Collections.Concurrent.ConcurrentQueue<long>();
        void Show(Notification notification) => shown.Enqueue(notification.Sequence);

        // The README's pattern, as written there.
        long last = 0;
        var connection = new HubConnectionBuilder()
            .WithUrl(url)
            .WithAutomaticReconnect()
            .Build();
        connection.On<Notification>("notification", n => { last = Math.Max(last, n.Sequence); Show(n); });
        connection.Reconnected += async _ => await connection.InvokeAsync("Resume", last);
        await connection.StartAsync();
        await using var _ = connection;

        await connection.InvokeAsync<long>("Position");
        for (var i = 0; i < 3; i++)
        {
            await service.CreateAsync(Request("alice", $"before {i}"));
        }

        await Eventually.TrueAsync(() => shown.Count == 3);
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Reconnected += _ =>
        {
            reconnected.TrySetResult();
            return Task.CompletedTask;
        };
        proxy.Refuse();
        await Eventually.TrueAsync(() => connection.State != HubConnectionState.Connected);
        await service.CreateAsync(Request("alice", "while away 1"));
        await service.CreateAsync(Request("alice", "while away 2"));
        proxy.Restore();
        await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await service.CreateAsync(Request("alice", "live"));

        await Eventually.TrueAsync(() => shown.Count >= 6);
        await Task.Delay(300);
        Assert.Equal(new long[] { 1, 2, 3, 4, 5, 6 }, shown.Order().ToArray());
        Assert.Equal(6, shown.Count);
    }
}
