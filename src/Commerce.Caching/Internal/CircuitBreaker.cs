using Microsoft.Extensions.Logging;

namespace Commerce.Caching.Internal;

/// <summary>
/// Stops paying Redis timeouts on every call: after <c>threshold</c> consecutive failures Redis is skipped for
/// <c>duration</c>; then one call probes it, and a success closes the breaker. A probe that ends without a verdict
/// (its caller cancelled) frees the slot for the next call, and any proof that Redis answers (a heartbeat heard
/// back) closes it too, so the breaker never stays open once Redis is back.
/// </summary>
internal sealed class CircuitBreaker(int threshold, TimeSpan duration, TimeProvider time, ILogger logger)
{
    private int _failures;
    private long _openUntil; // UTC ticks; 0 = closed
    private int _probing;

    public bool IsOpen => Volatile.Read(ref _openUntil) != 0;

    public bool AllowRequest()
    {
        var openUntil = Volatile.Read(ref _openUntil);
        if (openUntil == 0)
        {
            return true;
        }

        if (time.GetUtcNow().UtcTicks < openUntil)
        {
            return false;
        }

        // half-open: one caller probes Redis, the others keep skipping it
        return Interlocked.CompareExchange(ref _probing, 1, 0) == 0;
    }

    public void OnSuccess()
    {
        if (Volatile.Read(ref _failures) != 0)
        {
            Volatile.Write(ref _failures, 0);
        }

        if (Interlocked.Exchange(ref _openUntil, 0) != 0)
        {
            Volatile.Write(ref _probing, 0);
            Log.CircuitBreakerClosed(logger);
        }
    }

    public void OnFailure()
    {
        var failures = Interlocked.Increment(ref _failures);
        if (failures < threshold)
        {
            return;
        }

        var wasClosed = Interlocked.Exchange(ref _openUntil, time.GetUtcNow().UtcTicks + duration.Ticks) == 0;
        Volatile.Write(ref _probing, 0);
        if (wasClosed)
        {
            Log.CircuitBreakerOpened(logger, failures, duration);
        }
    }

    /// <summary>A call ended without a verdict (cancelled): if it was the half-open probe, the next call probes.</summary>
    public void OnAbandoned()
    {
        if (IsOpen)
        {
            Volatile.Write(ref _probing, 0);
        }
    }
}
