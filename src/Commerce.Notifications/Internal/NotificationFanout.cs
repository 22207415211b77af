using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Commerce.Notifications.Internal;

/// <summary>
/// Moves notifications and room events between instances over Redis and to this instance's subscribers.
/// <list type="bullet">
/// <item>A channel per recipient (<c>prefix:u:{id}</c>) and per room (<c>prefix:r:{room}</c>), subscribed while this
/// instance has a subscriber for it, so a message only travels to instances that need it. Sharded on a cluster.</item>
/// <item>Publishing goes through one ordered queue that retries what Redis refused; local subscribers get the message
/// at once, and the copy that comes back from Redis is recognised (origin) and skipped.</item>
/// <item>Pub/sub can lose messages (a disconnect, a restart): every message carries its sequence and subscribers
/// fill gaps from PostgreSQL; after Redis reconnects, and every <c>CatchUpInterval</c>, positions are compared with
/// PostgreSQL and anything missed is backfilled; room members are told to resync.</item>
/// </list>
/// </summary>
internal sealed class NotificationFanout : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _origin = Guid.NewGuid().ToString("N");
    private readonly NotificationConnections _connections;
    private readonly NotificationStore _store;
    private readonly NotificationsOptions _options;
    private readonly NotificationMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<Outgoing> _outgoing = System.Threading.Channels.Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _catchUpNow = new(0, 1);
    private bool? _sharded;
    private volatile bool _degraded;
    private long _fastCatchUpUntil;
    private IConnectionMultiplexer? _redis;

    public NotificationFanout(NotificationConnections connections, NotificationStore store, IOptions<NotificationsOptions> options, NotificationMetrics metrics, TimeProvider time, ILogger<NotificationFanout> logger)
    {
        _connections = connections;
        _store = store;
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    public async Task<LocalSubscriber> AddAsync(string recipientId, long? afterSequence, CancellationToken cancellationToken)
    {
        var subscriber = new LocalSubscriber(recipientId, _store, _options, _metrics, _time, e => Log.BackfillFailed(_logger, recipientId, e));
        await AttachAsync(UserTopic(recipientId), subscriber, cancellationToken).ConfigureAwait(false);
        try
        {
            // Subscribed first, position read second: a message published in between is either in the queue or
            // stored after the position, never lost.
            var position = afterSequence ?? (await _store.GetPositionsAsync([recipientId], cancellationToken).ConfigureAwait(false))[recipientId];
            subscriber.Start(position, catchUp: afterSequence is not null);
        }
        catch
        {
            await DetachAsync(UserTopic(recipientId), subscriber).ConfigureAwait(false);
            throw;
        }

        _metrics.Connected(1);
        return subscriber;
    }

    public async Task RemoveAsync(LocalSubscriber subscriber)
    {
        foreach (var room in subscriber.Rooms)
        {
            await DetachAsync(RoomTopic(room), subscriber).ConfigureAwait(false);
        }

        await DetachAsync(UserTopic(subscriber.RecipientId), subscriber).ConfigureAwait(false);
        await subscriber.StopAsync().ConfigureAwait(false);
        _metrics.Connected(-1);
    }

    public async Task JoinRoomAsync(LocalSubscriber subscriber, string room, CancellationToken cancellationToken)
    {
        if (subscriber.AddRoom(room))
        {
            await AttachAsync(RoomTopic(room), subscriber, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task LeaveRoomAsync(LocalSubscriber subscriber, string room)
    {
        if (subscriber.RemoveRoom(room))
        {
            await DetachAsync(RoomTopic(room), subscriber).ConfigureAwait(false);
        }
    }

    public void Publish(Notification notification)
    {
        var topic = UserTopic(notification.RecipientId);
        Dispatch(topic, notification);
        _outgoing.Writer.TryWrite(new Outgoing(topic, Serialize(new Envelope(_origin, notification, null)), _time.GetUtcNow()));
        _metrics.Published("notification");
    }

    public void Publish(RoomEvent roomEvent)
    {
        var topic = RoomTopic(roomEvent.Room);
        Dispatch(topic, roomEvent);
        _outgoing.Writer.TryWrite(new Outgoing(topic, Serialize(new Envelope(_origin, null, roomEvent)), _time.GetUtcNow()));
        _metrics.Published("room_event");
    }

    /// <summary>Compares every local subscriber's position with PostgreSQL now and backfills (tests, operators).</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        var subscribers = _topics.Values.Where(t => !t.IsRoom).SelectMany(t => t.Subscribers).ToList();
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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var publisher = Task.Run(() => PublishLoopAsync(stoppingToken), stoppingToken);
        try
        {
            var redis = await _connections.RedisAsync().WaitAsync(stoppingToken).ConfigureAwait(false);
            Watch(redis);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.RedisUnavailable(_logger, exception);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var interval = _degraded || _time.GetUtcNow().UtcTicks < Interlocked.Read(ref _fastCatchUpUntil)
                ? TimeSpan.FromMilliseconds(Math.Min(500, _options.CatchUpInterval.TotalMilliseconds))
                : _options.CatchUpInterval;
            try
            {
                await _catchUpNow.WaitAsync(interval, stoppingToken).ConfigureAwait(false);
                await ResubscribeMissingAsync(stoppingToken).ConfigureAwait(false);
                await CatchUpAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                Log.CatchUpFailed(_logger, exception);
            }
        }

        await publisher.ConfigureAwait(false);
    }

    private void Watch(IConnectionMultiplexer redis)
    {
        _redis = redis;
        redis.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
            {
                _degraded = true;
                Log.SubscriptionLost(_logger, e.Exception);
            }
        };
        redis.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType != ConnectionType.Subscription)
            {
                return;
            }

            _degraded = false;
            Interlocked.Exchange(ref _fastCatchUpUntil, (_time.GetUtcNow() + TimeSpan.FromSeconds(5)).UtcTicks);
            Log.SubscriptionRestored(_logger);
            foreach (var topic in _topics.Values.Where(t => t.IsRoom))
            {
                foreach (var subscriber in topic.Subscribers)
                {
                    subscriber.Post(new ResyncSignal(topic.Name));
                }
            }

            WakeCatchUp();
        };
        if (!redis.IsConnected)
        {
            _degraded = true;
        }
    }

    private void WakeCatchUp()
    {
        try
        {
            _catchUpNow.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    private async Task PublishLoopAsync(CancellationToken stoppingToken)
    {
        var pending = new List<Outgoing>();
        try
        {
            while (await _outgoing.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (pending.Count < 512 && _outgoing.Reader.TryRead(out var next))
                {
                    pending.Add(next);
                }

                IConnectionMultiplexer redis;
                try
                {
                    redis = await _connections.RedisAsync().ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    Log.PublishFailed(_logger, pending.Count, exception);
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                var subscriber = redis.GetSubscriber();
                var sends = pending.Select(o => subscriber.PublishAsync(Channel(redis, o.Topic), o.Payload)).ToArray();
                try
                {
                    await Task.WhenAll(sends).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    Log.PublishFailed(_logger, sends.Count(s => !s.IsCompletedSuccessfully), exception);
                }

                var cutoff = _time.GetUtcNow() - _options.PublishRetryWindow;
                var retry = pending.Where((o, i) => !sends[i].IsCompletedSuccessfully && o.EnqueuedAt > cutoff).ToList();
                pending.Clear();
                if (retry.Count > 0)
                {
                    pending.AddRange(retry);
                    await Task.Delay(TimeSpan.FromMilliseconds(500), _time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
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
    }

    private void Dispatch(string key, object message)
    {
        if (_topics.TryGetValue(key, out var topic))
        {
            foreach (var subscriber in topic.Subscribers)
            {
                subscriber.Post(message);
            }
        }
    }

    private async Task AttachAsync(string key, LocalSubscriber subscriber, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var topic = _topics.GetOrAdd(key, static k => new Topic(k));
            topic.Subscribers = topic.Subscribers.Add(subscriber);
            if (topic.Queue is null)
            {
                await TrySubscribeAsync(topic).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task DetachAsync(string key, LocalSubscriber subscriber)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_topics.TryGetValue(key, out var topic))
            {
                return;
            }

            topic.Subscribers = topic.Subscribers.Remove(subscriber);
            if (topic.Subscribers.IsEmpty)
            {
                _topics.TryRemove(key, out _);
                if (topic.Queue is { } queue)
                {
                    try
                    {
                        await queue.UnsubscribeAsync().ConfigureAwait(false);
                    }
                    catch (Exception exception) when (exception is RedisException or TimeoutException)
                    {
                        Log.UnsubscribeFailed(_logger, key, exception);
                    }
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Subscribes a topic; when Redis is unavailable the topic stays local and is retried by the catch-up loop.</summary>
    private async Task TrySubscribeAsync(Topic topic)
    {
        try
        {
            var redis = await _connections.RedisAsync().ConfigureAwait(false);
            var queue = await redis.GetSubscriber().SubscribeAsync(Channel(redis, topic.Key)).ConfigureAwait(false);
            queue.OnMessage(message => OnMessage(topic, message.Message));
            topic.Queue = queue;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            _degraded = true;
            Log.SubscribeFailed(_logger, topic.Key, exception);
        }
    }

    private async Task ResubscribeMissingAsync(CancellationToken cancellationToken)
    {
        if (!_topics.Values.Any(t => t.Queue is null))
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var topic in _topics.Values.Where(t => t.Queue is null))
            {
                await TrySubscribeAsync(topic).ConfigureAwait(false);
                if (topic.Queue is not null && topic.IsRoom)
                {
                    foreach (var subscriber in topic.Subscribers)
                    {
                        subscriber.Post(new ResyncSignal(topic.Name));
                    }
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private RedisChannel Channel(IConnectionMultiplexer redis, string key)
    {
        _sharded ??= _options.UseShardedPubSub ?? redis.GetServers().Any(s => s.ServerType == ServerType.Cluster);
        var name = _options.ChannelPrefix + key;
        return _sharded.Value ? RedisChannel.Sharded(name) : RedisChannel.Literal(name);
    }

    private static byte[] Serialize(Envelope envelope) => JsonSerializer.SerializeToUtf8Bytes(envelope, Json);

    private static string UserTopic(string recipientId) => "u:" + recipientId;

    private static string RoomTopic(string room) => "r:" + room;

    public override void Dispose()
    {
        _gate.Dispose();
        _catchUpNow.Dispose();
        base.Dispose();
    }

    private sealed class Topic(string key)
    {
        public string Key { get; } = key;

        public bool IsRoom => Key.StartsWith("r:", StringComparison.Ordinal);

        public string Name => Key[2..];

        public System.Collections.Immutable.ImmutableArray<LocalSubscriber> Subscribers { get; set; } = [];

        public ChannelMessageQueue? Queue { get; set; }
    }

    private sealed record Outgoing(string Topic, byte[] Payload, DateTimeOffset EnqueuedAt);

    /// <summary>The wire format on Redis: the origin instance, and either a notification or a room event.</summary>
    private sealed record Envelope(string Origin, Notification? Notification, RoomEvent? RoomEvent);
}
