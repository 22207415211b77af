using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Commerce.Notifications.Internal;

/// <summary>
/// Moves notifications, room events and control messages between instances over Redis and to this instance's
/// subscribers. A channel per recipient (<c>prefix:u:{id}</c>) and per room (<c>prefix:r:{room}</c>) is subscribed
/// while this instance has a subscriber for it (<see cref="TopicRegistry"/>). Publishing goes through the bounded
/// <see cref="PublishQueue"/>; local subscribers get a message at once, and the copy that comes back from Redis is
/// recognised by its origin and skipped. Pub/sub can lose messages: every notification carries its sequence,
/// subscribers fill gaps from PostgreSQL, and <see cref="NotificationCatchUp"/> compares positions periodically.
/// </summary>
internal sealed class NotificationFanout
{
    /// <summary>How long opening a stream or joining a room waits for its Redis subscription before relying on PostgreSQL polling.</summary>
    private static readonly TimeSpan SubscribeWait = TimeSpan.FromMilliseconds(500);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _origin = Guid.NewGuid().ToString("N");
    private readonly NotificationStore _store;
    private readonly TopicRegistry _topics;
    private readonly PublishQueue _publishing;
    private readonly NotificationsOptions _options;
    private readonly NotificationMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public NotificationFanout(NotificationStore store, TopicRegistry topics, PublishQueue publishing, IOptions<NotificationsOptions> options, NotificationMetrics metrics, TimeProvider time, ILogger<NotificationFanout> logger)
    {
        _store = store;
        _topics = topics;
        _publishing = publishing;
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        topics.OnMessage = OnMessage;
    }

    public async Task<LocalSubscriber> AddAsync(string recipientId, long? afterSequence, CancellationToken cancellationToken)
    {
        var subscriber = new LocalSubscriber(recipientId, _store, _options, _metrics, _time, e => Log.BackfillFailed(_logger, recipientId, e));
        var subscribing = _topics.Attach(UserTopic(recipientId), subscriber);
        try
        {
            // Subscribed first (or given up waiting: then polling covers the gap), position read second: a message
            // published in between is either in the queue or stored after the position, never lost.
            var subscribed = await Task.WhenAny(subscribing, Task.Delay(SubscribeWait, _time, cancellationToken)).ConfigureAwait(false) == subscribing;
            var position = afterSequence ?? (await _store.GetPositionsAsync([recipientId], cancellationToken).ConfigureAwait(false))[recipientId];
            subscriber.Start(position, catchUp: afterSequence is not null);
            if (!subscribed)
            {
                _ = subscribing.ContinueWith(_ => subscriber.Post(CatchUpSignal.Instance), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
        }
        catch
        {
            _topics.Detach(UserTopic(recipientId), subscriber);
            throw;
        }

        _metrics.Connected(1);
        return subscriber;
    }

    public async Task RemoveAsync(LocalSubscriber subscriber)
    {
        foreach (var room in subscriber.Rooms)
        {
            _topics.Detach(RoomTopic(room), subscriber);
        }

        _topics.Detach(UserTopic(subscriber.RecipientId), subscriber);
        await subscriber.StopAsync().ConfigureAwait(false);
        _metrics.Connected(-1);
    }

    public async Task JoinRoomAsync(LocalSubscriber subscriber, string room, CancellationToken cancellationToken)
    {
        if (!subscriber.AddRoom(room))
        {
            return;
        }

        var subscribing = _topics.Attach(RoomTopic(room), subscriber);
        if (await Task.WhenAny(subscribing, Task.Delay(SubscribeWait, _time, cancellationToken)).ConfigureAwait(false) != subscribing)
        {
            // Redis is slow or down: the room's events from other instances start when it is subscribed; reload then.
            _ = subscribing.ContinueWith(_ => subscriber.Post(new ResyncSignal(room)), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    public void LeaveRoom(LocalSubscriber subscriber, string room)
    {
        if (subscriber.RemoveRoom(room))
        {
            _topics.Detach(RoomTopic(room), subscriber);
        }
    }

    public void Publish(Notification notification)
    {
        var topic = UserTopic(notification.RecipientId);
        Dispatch(topic, notification);
        _publishing.Enqueue(topic, Serialize(new Envelope(_origin, notification, null, null)));
        _metrics.Published("notification");
    }

    public void Publish(RoomEvent roomEvent)
    {
        var topic = RoomTopic(roomEvent.Room);
        Dispatch(topic, roomEvent);
        _publishing.Enqueue(topic, Serialize(new Envelope(_origin, null, roomEvent, null)));
        _metrics.Published("room_event");
    }

    /// <summary>Takes a user out of a room, or disconnects the user, on every instance.</summary>
    public void Publish(string recipientId, ControlMessage control)
    {
        var topic = UserTopic(recipientId);
        Apply(topic, control);
        _publishing.Enqueue(topic, Serialize(new Envelope(_origin, null, null, control)));
        _metrics.Published("control");
    }

    /// <summary>Tells the local subscribers of <paramref name="recipientIds"/> to read what is stored after their positions.</summary>
    public void CatchUp(IEnumerable<string> recipientIds)
    {
        foreach (var recipient in recipientIds)
        {
            foreach (var subscriber in _topics.SubscribersOf(UserTopic(recipient)))
            {
                subscriber.Post(CatchUpSignal.Instance);
            }
        }
    }

    /// <summary>Compares every local subscriber's position with PostgreSQL now and backfills (tests, operators).</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        var subscribers = _topics.Topics.Where(t => !t.IsRoom).SelectMany(t => t.Subscribers).ToList();
        if (subscribers.Count == 0)
        {
            return;
        }

        var positions = await _store.GetPositionsAsync(subscribers.Select(s => s.RecipientId).Distinct().ToList(), cancellationToken).ConfigureAwait(false);
        foreach (var subscriber in subscribers)
        {
            if (positions.TryGetValue(subscriber.RecipientId, out var stored) && stored > subscriber.Position)
            {
                subscriber.Post(CatchUpSignal.Instance);
            }
        }
    }

    private void OnMessage(Topic topic, RedisValue value)
    {
        Envelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<Envelope>((byte[])value!, Json);
        }
        catch (JsonException exception)
        {
            Log.BadMessage(_logger, topic.Name, exception);
            return;
        }

        if (envelope is null || envelope.Origin == _origin)
        {
            return;
        }

        if (envelope.Notification is { } notification)
        {
            Dispatch(topic.Key, notification);
        }
        else if (envelope.RoomEvent is { } roomEvent)
        {
            Dispatch(topic.Key, roomEvent);
        }
        else if (envelope.Control is { } control)
        {
            Apply(topic.Key, control);
        }
    }

    private void Dispatch(string key, object message)
    {
        foreach (var subscriber in _topics.SubscribersOf(key))
        {
            subscriber.Post(message);
        }
    }

    private void Apply(string userTopic, ControlMessage control)
    {
        foreach (var subscriber in _topics.SubscribersOf(userTopic))
        {
            if (control.Room is { } room)
            {
                LeaveRoom(subscriber, room);
            }
            else
            {
                subscriber.Post(new DisconnectSignal(control.Reason ?? "disconnected by the server"));
            }
        }
    }

    private static byte[] Serialize(Envelope envelope) => JsonSerializer.SerializeToUtf8Bytes(envelope, Json);

    private static string UserTopic(string recipientId) => "u:" + recipientId;

    private static string RoomTopic(string room) => "r:" + room;

    /// <summary>The wire format on Redis: the origin instance, and a notification, a room event or a control message.</summary>
    private sealed record Envelope(string Origin, Notification? Notification, RoomEvent? RoomEvent, ControlMessage? Control);
}

/// <summary>A server decision about a user's streams: leave <see cref="Room"/>, or (no room) disconnect with <see cref="Reason"/>.</summary>
internal sealed record ControlMessage(string? Room, string? Reason);
