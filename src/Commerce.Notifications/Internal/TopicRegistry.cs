using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Commerce.Notifications.Internal;

/// <summary>A recipient's (<c>u:</c>) or room's (<c>r:</c>) channel, its local subscribers and its Redis subscription.</summary>
internal sealed class Topic(string key)
{
    public string Key { get; } = key;

    public bool IsRoom => Key.StartsWith("r:", StringComparison.Ordinal);

    public string Name => Key[2..];

    public ImmutableArray<LocalSubscriber> Subscribers { get; set; } = [];

    /// <summary>A room's Redis subscription: a queue, so its events keep their order.</summary>
    public ChannelMessageQueue? Queue { get; set; }

    /// <summary>
    /// A recipient's Redis subscription: a handler, 250 bytes where a queue takes 3.4 KB (one per connection adds up).
    /// Handlers may run out of order; a recipient's notifications carry sequences, so its stream restores the order.
    /// </summary>
    public Action<RedisChannel, RedisValue>? Handler { get; set; }

    public bool IsSubscribed => Queue is not null || Handler is not null;

    public Task? Subscribing { get; set; }
}

/// <summary>
/// The topics this instance has subscribers for. Attaching and detaching change local state at once under a short lock
/// that is never held across a Redis round trip; the Redis subscription of a new topic is made in the background, so a
/// connection opens at once even while Redis is down (the topic then stays local, the catch-up loop covers it with
/// PostgreSQL and subscribes it when Redis is back).
/// </summary>
internal sealed class TopicRegistry(NotificationConnections connections, RedisHealth health, IOptions<NotificationsOptions> options, ILogger<TopicRegistry> logger)
{
    private readonly ConcurrentDictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly NotificationsOptions _options = options.Value;
    private bool? _sharded;

    /// <summary>Called with each message a topic's Redis subscription receives.</summary>
    public Action<Topic, RedisValue>? OnMessage { get; set; }

    public IEnumerable<Topic> Topics => _topics.Values;

    public bool AnyUnsubscribed => _topics.Values.Any(t => !t.IsSubscribed);

    /// <summary>Adds a local subscriber; returns the topic's Redis subscription in progress (complete when already subscribed).</summary>
    public Task Attach(string key, LocalSubscriber subscriber)
    {
        lock (_lock)
        {
            var topic = _topics.GetOrAdd(key, static k => new Topic(k));
            topic.Subscribers = topic.Subscribers.Add(subscriber);
            if (!topic.IsSubscribed)
            {
                topic.Subscribing ??= SubscribeAsync(topic);
            }

            return topic.Subscribing ?? Task.CompletedTask;
        }
    }

    /// <summary>Removes a local subscriber; the last one out unsubscribes the topic in the background.</summary>
    public void Detach(string key, LocalSubscriber subscriber)
    {
        Topic? gone = null;
        lock (_lock)
        {
            if (!_topics.TryGetValue(key, out var topic))
            {
                return;
            }

            topic.Subscribers = topic.Subscribers.Remove(subscriber);
            if (topic.Subscribers.IsEmpty)
            {
                _topics.TryRemove(key, out _);
                gone = topic;
            }
        }

        if (gone?.IsSubscribed == true)
        {
            _ = UnsubscribeAsync(gone);
        }
    }

    /// <summary>The local subscribers of a topic.</summary>
    public ImmutableArray<LocalSubscriber> SubscribersOf(string key) =>
        _topics.TryGetValue(key, out var topic) ? topic.Subscribers : [];

    /// <summary>Starts a Redis subscription for every topic that has none and none in progress; returns those subscribed now.</summary>
    public async Task<IReadOnlyList<Topic>> SubscribeMissingAsync()
    {
        var missing = new List<(Topic Topic, Task Subscribing)>();
        lock (_lock)
        {
            foreach (var topic in _topics.Values.Where(t => !t.IsSubscribed))
            {
                topic.Subscribing ??= SubscribeAsync(topic);
                missing.Add((topic, topic.Subscribing));
            }
        }

        await Task.WhenAll(missing.Select(m => m.Subscribing)).ConfigureAwait(false);
        return missing.Where(m => m.Topic.IsSubscribed).Select(m => m.Topic).ToList();
    }

    public RedisChannel Channel(IConnectionMultiplexer redis, string key)
    {
        _sharded ??= _options.UseShardedPubSub ?? redis.GetServers().Any(s => s.ServerType == ServerType.Cluster);
        var name = _options.ChannelPrefix + key;
        return _sharded.Value ? RedisChannel.Sharded(name) : RedisChannel.Literal(name);
    }

    private async Task SubscribeAsync(Topic topic)
    {
        await Task.Yield(); // never run Redis work under the caller's lock
        try
        {
            var redis = await connections.RedisAsync().ConfigureAwait(false);
            var channel = Channel(redis, topic.Key);
            ChannelMessageQueue? queue = null;
            Action<RedisChannel, RedisValue>? handler = null;
            if (topic.IsRoom)
            {
                queue = await redis.GetSubscriber().SubscribeAsync(channel).ConfigureAwait(false);
                queue.OnMessage(message => OnMessage?.Invoke(topic, message.Message));
            }
            else
            {
                handler = (_, value) => OnMessage?.Invoke(topic, value);
                await redis.GetSubscriber().SubscribeAsync(channel, handler).ConfigureAwait(false);
            }

            var stale = false;
            lock (_lock)
            {
                if (_topics.TryGetValue(topic.Key, out var current) && ReferenceEquals(current, topic))
                {
                    topic.Queue = queue;
                    topic.Handler = handler;
                }
                else
                {
                    stale = true; // its last subscriber left meanwhile
                }
            }

            if (stale)
            {
                topic.Queue = queue;
                topic.Handler = handler;
                await UnsubscribeAsync(topic).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            health.MarkDegraded();
            Log.SubscribeFailed(logger, topic.Key, exception);
        }
        finally
        {
            lock (_lock)
            {
                topic.Subscribing = null;
            }
        }
    }

    private async Task UnsubscribeAsync(Topic topic)
    {
        try
        {
            if (topic.Queue is { } queue)
            {
                await queue.UnsubscribeAsync().ConfigureAwait(false);
            }
            else if (topic.Handler is { } handler)
            {
                var redis = await connections.RedisAsync().ConfigureAwait(false);
                await redis.GetSubscriber().UnsubscribeAsync(Channel(redis, topic.Key), handler).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            Log.UnsubscribeFailed(logger, topic.Key, exception);
        }
    }
}
