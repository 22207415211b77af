using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Commerce.Notifications.Tests;

/// <summary>A SignalR client connection and everything it received.</summary>
public sealed class HubRecorder : IAsyncDisposable
{
    public HubRecorder(HubConnection connection)
    {
        Connection = connection;
        connection.On<Notification>(NotificationsHub.NotificationMethod, n => Notifications.Enqueue(n));
        connection.On<RoomEvent>(NotificationsHub.RoomEventMethod, e => RoomEvents.Enqueue(e));
        connection.On<JsonElement>(NotificationsHub.ResyncMethod, e => Resyncs.Enqueue(e.GetProperty("room").GetString()!));
    }

    public HubConnection Connection { get; }

    public ConcurrentQueue<Notification> Notifications { get; } = new();

    public ConcurrentQueue<RoomEvent> RoomEvents { get; } = new();

    public ConcurrentQueue<string> Resyncs { get; } = new();

    public long[] Sequences => Notifications.Select(n => n.Sequence).ToArray();

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
