using System.Threading.RateLimiting;
using Commerce.FlashSale.Internal;
using StackExchange.Redis;

namespace Commerce.FlashSale;

/// <summary>
/// The reserve rate limit of one user at one sale as a <see cref="RateLimiter"/>, for ASP.NET Core's rate-limiting
/// middleware or any other caller. Its state lives in Redis (the same state the reserve script uses), so every
/// instance and every limiter object shares one budget. Create it with <see cref="FlashSaleRateLimiterFactory"/>.
/// </summary>
/// <remarks>
/// The limiter never blocks a thread on Redis: <c>AttemptAcquire</c> (synchronous) answers "not acquired" without
/// asking Redis, and ASP.NET Core's middleware then calls <c>AcquireAsync</c>, which asks. A permit count above
/// <see cref="FlashSaleOptions.RateLimitPermits"/> is refused with <see cref="ArgumentOutOfRangeException"/>, as the
/// framework's limiters do.
/// <see cref="IFlashSaleService.ReserveAsync"/> already enforces this limit. If you also apply it with the
/// middleware on the reserve endpoint, each request counts twice: set <see cref="FlashSaleOptions.RateLimitPermits"/>
/// in one place only.
/// </remarks>
public sealed class FlashSaleRateLimiter : RateLimiter
{
    private static readonly RateLimitLease Acquired = new Lease(true, null);
    private static readonly RateLimitLease NotDecided = new Lease(false, null);
    private readonly FlashSaleConnections _connections;
    private readonly Func<ValueTask<RedisKey[]>> _keys;
    private readonly string _userId;
    private readonly int _permits;
    private readonly long _periodMs;
    private readonly SaleClock _clock;
    private readonly TimeProvider _time;
    private long _lastUsed;

    internal FlashSaleRateLimiter(FlashSaleConnections connections, Func<ValueTask<RedisKey[]>> keys, string userId, int permits, TimeSpan period, SaleClock clock, TimeProvider time)
    {
        _connections = connections;
        _keys = keys;
        _userId = userId;
        _permits = permits;
        _periodMs = (long)period.TotalMilliseconds;
        _clock = clock;
        _time = time;
        _lastUsed = time.GetTimestamp();
    }

    /// <inheritdoc />
    public override TimeSpan? IdleDuration => _time.GetElapsedTime(Volatile.Read(ref _lastUsed));

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics() => null;

    /// <inheritdoc />
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        CheckPermitCount(permitCount);
        Volatile.Write(ref _lastUsed, _time.GetTimestamp());
        if (permitCount == 0 || _permits == 0)
        {
            return Acquired;
        }

        // The budget is in Redis, and this call must not block a thread on it: "not acquired", ask AcquireAsync.
        return NotDecided;
    }

    /// <inheritdoc />
    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        CheckPermitCount(permitCount);
        Volatile.Write(ref _lastUsed, _time.GetTimestamp());
        if (permitCount == 0 || _permits == 0)
        {
            return Acquired;
        }

        var db = await _connections.RedisAsync().ConfigureAwait(false);
        var keys = await _keys().ConfigureAwait(false);
        var wait = (long)await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.RateLimit, keys, [_userId, _permits, _periodMs, permitCount, _clock.Now()])).ConfigureAwait(false);
        return wait == 0 ? Acquired : new Lease(false, TimeSpan.FromMilliseconds(wait));
    }

    private void CheckPermitCount(int permitCount)
    {
        if (permitCount < 0 || (_permits > 0 && permitCount > _permits))
        {
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount, $"At most {_permits} permits can be acquired at once (FlashSaleOptions.RateLimitPermits).");
        }
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired { get; } = acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is not null && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = retryAfter.Value;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
