using Commerce.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit;

namespace Commerce.Notifications.Tests;

/// <summary>Fan-out over sharded pub/sub on the local 3-primary Redis Cluster.</summary>
public sealed class ClusterTests(RedisClusterFixture cluster, PostgresFixture postgres) : IClassFixture<RedisClusterFixture>, IClassFixture<PostgresFixture>
{
    [IntegrationFact(TestServer.RedisCluster | TestServer.Postgres)]
    public async Task OnACluster_NotificationsAndRoomEvents_TravelOverShardedChannels_ToTheOtherInstance()
    {
        var schema = TestNames.Unique();
        await using var a = await NotificationHost.StartAsync(cluster.ConnectionString, postgres.ConnectionString, schema);
        await using var b = await NotificationHost.StartAsync(cluster.ConnectionString, postgres.ConnectionString, schema);
        var users = Enumerable.Range(0, 12).Select(i => $"user-{i}").ToArray();   // spread over the three shards
        var clients = new List<HubRecorder>();
        foreach (var user in users)
        {
            clients.Add(await NotificationHost.ConnectHubAsync(b, user, shop: "s1"));
        }

        await clients[0].Connection.InvokeAsync("JoinRoom", "shop:s1");
        var service = a.Services.GetRequiredService<INotificationService>();
        foreach (var user in users)
        {
            await service.CreateAsync(new NotificationRequest { RecipientId = user, Type = "t", Title = "hello " + user });
        }

        await service.PublishRoomEventAsync("shop:s1", "inventory_update");
        await Eventually.TrueAsync(() => clients.All(c => c.Notifications.Count == 1) && clients[0].RoomEvents.Count == 1);
        Assert.All(clients.Zip(users), pair => Assert.Equal("hello " + pair.Second, Assert.Single(pair.First.Notifications).Title));

        // The channels are sharded ones: SPUBLISH-visible, on more than one primary.
        var shards = new HashSet<string>();
        foreach (var server in cluster.Connection.GetServers().Where(s => !s.IsReplica))
        {
            var channels = (RedisResult[])(await server.ExecuteAsync("PUBSUB", "SHARDCHANNELS", schema + ":*"))!;
            if (channels.Length > 0)
            {
                shards.Add(server.EndPoint.ToString()!);
            }
        }

        Assert.True(shards.Count > 1, $"sharded channels on {shards.Count} primaries");
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }
}
