using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Commerce.Notifications.Internal;

/// <summary>
/// Whether Redis pub/sub can be relied on right now. Degraded while the subscription connection is down (or was never
/// up), and for a few seconds after it comes back, so the catch-up loop polls PostgreSQL fast meanwhile; announces a
/// restored connection so rooms can be told to resync and positions compared at once.
/// </summary>
internal sealed class RedisHealth(TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan FastAfterRestore = TimeSpan.FromSeconds(5);
    private long _fastUntil;
    private volatile bool _degraded = true;

    /// <summary>Raised when the subscription connection is back.</summary>
    public event Action? Restored;

    /// <summary>True while pub/sub may be missing messages: poll PostgreSQL fast.</summary>
    public bool NeedsFastCatchUp => _degraded || time.GetUtcNow().UtcTicks < Interlocked.Read(ref _fastUntil);

    /// <summary>Marks pub/sub unreliable (a subscribe or publish failed).</summary>
    public void MarkDegraded() => _degraded = true;

    /// <summary>Follows the connection's subscription state from now on.</summary>
    public void Watch(IConnectionMultiplexer redis)
    {
        redis.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
            {
                _degraded = true;
                Log.SubscriptionLost(logger, e.Exception);
            }
        };
        redis.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
            {
                OnRestored();
            }
        };
        if (redis.IsConnected)
        {
            _degraded = false;
        }
    }

    private void OnRestored()
    {
        _degraded = false;
        Interlocked.Exchange(ref _fastUntil, (time.GetUtcNow() + FastAfterRestore).UtcTicks);
        Log.SubscriptionRestored(logger);
        Restored?.Invoke();
    }
}
