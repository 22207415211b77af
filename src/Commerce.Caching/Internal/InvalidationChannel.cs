using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Commerce.Caching.Internal;

/// <summary>
/// The Redis pub/sub channel on which instances announce invalidations, and the proof that this instance
/// still hears it. Pub/sub is at-most-once: a message published while the subscription is down is gone. So
/// the channel is <em>healthy</em> only while heartbeats this instance publishes come back to it; a connection
/// failure or a heartbeat not heard within <see cref="CommerceCacheOptions.HeartbeatTimeout"/> makes it
/// unhealthy (the cache stops trusting memory entries older than <see cref="LostAt"/>), and the next heartbeat heard
/// makes it healthy again. A heartbeat heard back is also proof that Redis answers, so it closes the circuit breaker.
/// </summary>
internal sealed class InvalidationChannel : IAsyncDisposable
{
    private readonly RedisLevel _redis;
    private readonly CommerceCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<string> _onMessage;
    private readonly Action _onLost;
    private readonly Action _onRestored;
    private readonly string _instance = Guid.NewGuid().ToString("N")[..12];
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private volatile bool _healthy;
    private bool _subscribed;
    private int _subscribing;
    private long _sentSequence;
    private long _heardSequence;
    private long _firstUnheardAt; // UTC ticks of the oldest heartbeat not heard back; 0 = none
    private long _lostAt;
    private long _lastHeardAt;
    private IConnectionMultiplexer? _hooked;

    public InvalidationChannel(
        RedisLevel redis,
        CommerceCacheOptions options,
        TimeProvider time,
        ILogger logger,
        Action<string> onMessage,
        Action onLost,
        Action onRestored)
    {
        _redis = redis;
        _options = options;
        _time = time;
        _logger = logger;
        _onMessage = onMessage;
        _onLost = onLost;
        _onRestored = onRestored;
        _timer = time.CreateTimer(static s => ((InvalidationChannel)s!).Tick(), this, TimeSpan.Zero, options.HeartbeatInterval);
    }

    public bool IsHealthy => _healthy;

    /// <summary>UTC ticks when the channel last became unhealthy (0 before it ever did).</summary>
    public long LostAt => Volatile.Read(ref _lostAt);

    /// <summary>
    /// UTC ticks when this instance last heard its own heartbeat: every invalidation published before then has reached
    /// it, so a memory entry is at most <c>now - LastHeardAt</c> stale (0 before the first one).
    /// </summary>
    public long LastHeardAt => Volatile.Read(ref _lastHeardAt);

    public string Instance => _instance;

    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        if (_hooked is not null)
        {
            _hooked.ConnectionFailed -= OnConnectionFailed;
            _hooked.ConnectionRestored -= OnConnectionRestored;
            if (_subscribed)
            {
                try
                {
                    await _hooked.GetSubscriber().UnsubscribeAsync(_redis.Keys.Channel).WaitAsync(_options.RedisTimeout, _time).ConfigureAwait(false);
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    // shutting down anyway
                }
            }
        }
    }

    /// <summary>Subscribes if not yet subscribed; then the channel is healthy.</summary>
    public async Task EnsureSubscribedAsync()
    {
        if (_subscribed || Interlocked.CompareExchange(ref _subscribing, 1, 0) != 0)
        {
            return;
        }

        try
        {
            var connection = await _redis.GetConnectionAsync(_options.RedisTimeout, CancellationToken.None).ConfigureAwait(false);
            if (connection is null)
            {
                return;
            }

            if (_hooked is null)
            {
                _hooked = connection;
                connection.ConnectionFailed += OnConnectionFailed;
                connection.ConnectionRestored += OnConnectionRestored;
            }

            await connection.GetSubscriber()
                .SubscribeAsync(_redis.Keys.Channel, (_, message) => OnMessage(message))
                .WaitAsync(_options.RedisTimeout, _time)
                .ConfigureAwait(false);
            _subscribed = true;
            Volatile.Write(ref _lastHeardAt, _time.GetUtcNow().UtcTicks);
            Restore(first: true);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Log.SubscribeFailed(_logger, e);
        }
        finally
        {
            Volatile.Write(ref _subscribing, 0);
        }
    }

    private void Tick()
    {
        if (!_subscribed)
        {
            _ = EnsureSubscribedAsync();
            return;
        }

        var now = _time.GetUtcNow().UtcTicks;
        var firstUnheard = Volatile.Read(ref _firstUnheardAt);
        if (firstUnheard != 0 && now - firstUnheard > _options.HeartbeatTimeout.Ticks)
        {
            Lose("heartbeat not heard back");
        }

        _ = SendHeartbeatAsync(now);
    }

    private async Task SendHeartbeatAsync(long now)
    {
        var sequence = Interlocked.Increment(ref _sentSequence);
        Interlocked.CompareExchange(ref _firstUnheardAt, now, 0);
        var connection = _redis.Connection;
        if (connection is null)
        {
            return;
        }

        try
        {
            await connection.GetSubscriber()
                .PublishAsync(_redis.Keys.Channel, CacheMessages.HeartbeatOf(_instance, sequence))
                .WaitAsync(_options.HeartbeatTimeout, _time)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // not heard back, so the timeout check will notice
        }
    }

    private void OnMessage(RedisValue value)
    {
        var message = (string?)value;
        if (string.IsNullOrEmpty(message))
        {
            return;
        }

        if (message[0] != CacheMessages.Heartbeat)
        {
            _onMessage(message);
            return;
        }

        if (!CacheMessages.TryParseNumbered(message, out var sequence, out var instance) || instance != _instance)
        {
            return;
        }

        // Heard our own heartbeat: the subscription delivers. Everything sent up to it is accounted for.
        Volatile.Write(ref _lastHeardAt, _time.GetUtcNow().UtcTicks);
        _redis.Breaker.OnSuccess();
        lock (_lock)
        {
            if (sequence > _heardSequence)
            {
                _heardSequence = sequence;
            }

            Volatile.Write(ref _firstUnheardAt, _heardSequence >= Volatile.Read(ref _sentSequence) ? 0 : _time.GetUtcNow().UtcTicks);
        }

        if (!_healthy)
        {
            Restore(first: false);
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            Lose($"subscription connection failed: {e.FailureType}");
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Interactive)
        {
            _redis.Breaker.OnSuccess();
        }

        if (e.ConnectionType == ConnectionType.Subscription)
        {
            // Healthy again only once a heartbeat sent from now on comes back through the new subscription.
            _ = SendHeartbeatAsync(_time.GetUtcNow().UtcTicks);
        }
    }

    private void Lose(string reason)
    {
        lock (_lock)
        {
            if (!_healthy)
            {
                return;
            }

            _healthy = false;
            Volatile.Write(ref _lostAt, _time.GetUtcNow().UtcTicks);
            Volatile.Write(ref _firstUnheardAt, 0);
        }

        Log.InvalidationChannelLost(_logger, reason);
        _onLost();
    }

    private void Restore(bool first)
    {
        lock (_lock)
        {
            if (_healthy)
            {
                return;
            }

            _healthy = true;
        }

        if (!first)
        {
            Log.InvalidationChannelRestored(_logger);
        }

        _onRestored();
    }
}
