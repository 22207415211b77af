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

    public ChannelMessageQueue? Queue { get; set; }

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

    public bool AnyUnsubscribed => _topics.Values.Any(t => t.Queue is null);

    /// <summary>Adds a local subscriber; returns the topic's Redis subscription in progress (complete when already subscribed).</summary>
    public Task Attach(string key, LocalSubscriber subscriber)
    {
        lock (_lock)
        {
            var topic = _topics.GetOrAdd(key, static k => new Topic(k));
            topic.Subscribers = topic.Subscribers.Add(subscriber);
            if (topic.Queue is null)
            {
                topic.Subscribing ??= SubscribeAsync(topic);
            }

            return topic.Subscribing ?? Task.CompletedTask;
        }
    }

    /// <summary>Removes a local subscriber; the last one out unsubscribes the topic in the background.</summary>
    public void Detach(string key, LocalSubscriber subscriber)
    {
        ChannelMessageQueue? unsubscribe = null;
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
                unsubscribe = topic.Queue;
                topic.Queue = null;
            }
        }

        if (unsubscribe is not null)
        {
            _ = UnsubscribeAsync(key, unsubscribe);
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
            foreach (var topic in _topics.Values.Where(t => t.Queue is null))
            {
                topic.Subscribing ??= SubscribeAsync(topic);
                missing.Add((topic, topic.Subscribing));
            }
        }

        await Task.WhenAll(missing.Select(m => m.Subscribing)).ConfigureAwait(false);
        return missing.Where(m => m.Topic.Queue is not null).Select(m => m.Topic).ToList();
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
            var queue = await redis.GetSubscriber().SubscribeAsync(Channel(redis, topic.Key)).ConfigureAwait(false);
            queue.OnMessage(message => OnMessage?.Invoke(topic, message.Message));
            var stale = false;
            lock (_lock)
            {
                if (_topics.TryGetValue(topic.Key, out var current) && ReferenceEquals(current, topic))
                {
                    topic.Queue = queue;
                }
                else
                {
                    stale = true; // its last subscriber left meanwhile
                }
            }

            if (stale)
            {
                await UnsubscribeAsync(topic.Key, queue).ConfigureAwait(false);
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

    private async Task UnsubscribeAsync(string key, ChannelMessageQueue queue)
    {
        try
        {
            await queue.UnsubscribeAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            Log.UnsubscribeFailed(logger, key, exception);
        }
    }
}
