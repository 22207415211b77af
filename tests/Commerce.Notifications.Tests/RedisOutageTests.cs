using Commerce.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Commerce.Notifications.Tests;

/// <summary>While Redis is down or hung, new connections still open at once and get their notifications (PostgreSQL covers the gap).</summary>
public sealed class RedisOutageTests(RedisFixture redis, PostgresFixture postgres) : IClassFixture<RedisFixture>, IClassFixture<PostgresFixture>
{
    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task FiftyClientsConnectingWhileRedisIsDown_AllOpen_AndAllGetTheirNotifications()
    {
        var schema = TestNames.Unique();
        await using var proxy = TcpChaosProxy.Start(redis.EndPoint);
        await using var cut = await NotificationHost.StartAsync(proxy.EndPoint, postgres.ConnectionString, schema);
        await using var healthy = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        proxy.Refuse();

        var browsers = Enumerable.Range(0, 50).Select(i => EventSourceClient.Open(cut.Address, $"user-{i}")).ToList();
        try
        {
            await Eventually.TrueAsync(() => browsers.All(b => b.Opened == 1), TimeSpan.FromSeconds(20), "connections do not wait for Redis");

            // Created on the other instance: with Redis unreachable from this one, PostgreSQL polling delivers them.
            var service = healthy.Services.GetRequiredService<INotificationService>();
            for (var i = 0; i < 50; i++)
            {
                await service.CreateAsync(new NotificationRequest { RecipientId = $"user-{i}", Type = "t", Title = $"for {i}" });
            }

            await Eventually.TrueAsync(() => browsers.All(b => b.Notifications.Count == 1), TimeSpan.FromSeconds(30));
            Assert.All(browsers.Select((b, i) => (b, i)), x => Assert.Equal($"for {x.i}", Assert.Single(x.b.Notifications).Title));

            // Redis comes back: live delivery resumes, nothing twice.
            proxy.Restore();
            await service.CreateAsync(new NotificationRequest { RecipientId = "user-7", Type = "t", Title = "after" });
            await Eventually.TrueAsync(() => browsers[7].Notifications.Count == 2, TimeSpan.FromSeconds(30));
            Assert.Equal(new long[] { 1, 2 }, browsers[7].Sequences);
        }
        finally
        {
            foreach (var browser in browsers)
            {
                await browser.DisposeAsync();
            }
        }
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task ClientsConnectingWhileRedisHangs_GetTheirNotifications_ThoughTheirSubscriptionsNeverAnswer()
    {
        // A hung Redis (a partition) with a long timeout: subscribing the new users' topics waits a minute before it
        // fails. Catching up from PostgreSQL must not wait for it.
        var schema = TestNames.Unique();
        await using var proxy = TcpChaosProxy.Start(redis.EndPoint);
        await using var cut = await NotificationHost.StartAsync($"{proxy.EndPoint},asyncTimeout=60000,syncTimeout=60000", postgres.ConnectionString, schema);
        await using var healthy = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        proxy.Hang();

        var browsers = Enumerable.Range(0, 10).Select(i => EventSourceClient.Open(cut.Address, $"user-{i}")).ToList();
        try
        {
            await Eventually.TrueAsync(() => browsers.All(b => b.Opened == 1), TimeSpan.FromSeconds(20), "connections do not wait for Redis");

            var service = healthy.Services.GetRequiredService<INotificationService>();
            for (var i = 0; i < browsers.Count; i++)
            {
                await service.CreateAsync(new NotificationRequest { RecipientId = $"user-{i}", Type = "t", Title = $"for {i}" });
            }

            await Eventually.TrueAsync(() => browsers.All(b => b.Notifications.Count == 1), TimeSpan.FromSeconds(30),
                "PostgreSQL covers the gap while the subscriptions wait");
            Assert.All(browsers.Select((b, i) => (b, i)), x => Assert.Equal($"for {x.i}", Assert.Single(x.b.Notifications).Title));
        }
        finally
        {
            proxy.Restore();
            foreach (var browser in browsers)
            {
                await browser.DisposeAsync();
            }
        }
    }
}
