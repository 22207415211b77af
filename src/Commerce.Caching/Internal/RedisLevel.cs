using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Commerce.Caching.Internal;

/// <summary>
/// The Redis level. Every call on a request path is bounded by <see cref="CommerceCacheOptions.RedisTimeout"/>,
/// passes through the circuit breaker, and reports failure as a value (never an exception), so the cache can
/// fall back to the factory.
/// </summary>
internal sealed class RedisLevel : IAsyncDisposable
{
    private readonly Func<Task<IConnectionMultiplexer>> _connect;
    private readonly bool _owned;
    private readonly CommerceCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CachingMetrics _metrics;
    private readonly Lock _connectLock = new();
    private Task<IConnectionMultiplexer> _connection;
    private long _lastConnectAttempt;

    public RedisLevel(
        Func<Task<IConnectionMultiplexer>> connect,
        bool owned,
        CommerceCacheOptions options,
        TimeProvider time,
        ILogger logger,
        CachingMetrics metrics)
    {
        _connect = connect;
        _owned = owned;
        _options = options;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        Keys = new KeyLayout(options.KeyPrefix);
        Breaker = new CircuitBreaker(options.CircuitBreakerThreshold, options.CircuitBreakerDuration, time, logger);
        _lastConnectAttempt = time.GetUtcNow().UtcTicks;
        _connection = StartConnect();
    }

    public KeyLayout Keys { get; }

    public CircuitBreaker Breaker { get; }

    /// <summary>The connection, once it exists (it may be disconnected).</summary>
    public IConnectionMultiplexer? Connection => _connection.IsCompletedSuccessfully ? _connection.Result : null;

    public bool IsAvailable => Connection?.IsConnected == true && !Breaker.IsOpen;

    /// <summary>Waits for the connection object, at most <paramref name="timeout"/>; null if it is not there.</summary>
    public async ValueTask<IConnectionMultiplexer?> GetConnectionAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var task = CurrentConnectionTask();
        if (task.IsCompletedSuccessfully)
        {
            return task.Result;
        }

        try
        {
            return await task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            if (e is not TimeoutException)
            {
                Log.RedisOperationFailed(_logger, "connect", e);
            }

            return null;
        }
    }

    public async Task<RedisReadResult> ReadAsync(string key, string? scope, CancellationToken cancellationToken)
    {
        RedisKey[] keys = scope is null
            ? [Keys.Value(key, null)]
            : [Keys.Value(key, scope), Keys.ScopeGeneration(scope)];
        var (ok, result) = await RunAsync(
            "read",
            (db, k) => db.ScriptEvaluateAsync(RedisScripts.Read, k),
            keys,
            cancellationToken).ConfigureAwait(false);
        if (!ok || result is null)
        {
            return default;
        }

        var parts = (RedisResult[])result!;
        var found = !parts[0].IsNull;
        var generation = parts[1].IsNull ? 0 : ParseLong(parts[1]);
        return new RedisReadResult(true, found ? (byte[])parts[0]! : default, found, generation);
    }

    /// <summary>Reads the generations of <paramref name="states"/> (creating missing ones) and advances them.</summary>
    public async Task LoadGenerationsAsync(IReadOnlyList<GenerationState> states, CancellationToken cancellationToken)
    {
        var tasks = new Task<(bool, RedisResult?)>[states.Count];
        for (var i = 0; i < states.Count; i++)
        {
            tasks[i] = RunAsync(
                "read_generation",
                (db, k) => db.ScriptEvaluateAsync(RedisScripts.ReadGeneration, k),
                [Keys.TagGeneration(states[i].Name)],
                cancellationToken);
        }

        for (var i = 0; i < tasks.Length; i++)
        {
            var (ok, result) = await tasks[i].ConfigureAwait(false);
            if (ok && result is not null && !result.IsNull)
            {
                states[i].Advance(ParseLong(result));
            }
        }
    }

    /// <summary>Reads a scope's generation (creating it when missing). Null when Redis can't be asked.</summary>
    public async Task<long?> ReadScopeGenerationAsync(string scope, CancellationToken cancellationToken)
    {
        var (ok, result) = await RunAsync(
            "read_generation",
            (db, k) => db.ScriptEvaluateAsync(RedisScripts.ReadGeneration, k),
            [Keys.ScopeGeneration(scope)],
            cancellationToken).ConfigureAwait(false);
        return ok && result is not null && !result.IsNull ? ParseLong(result) : null;
    }

    /// <summary>Increments a generation and announces it. Returns the new generation, or null when Redis can't be asked.</summary>
    public async Task<long?> InvalidateAsync(RedisKey generationKey, char kind, string name, CancellationToken cancellationToken)
    {
        var channel = (RedisValue)Keys.Channel.ToString();
        var (ok, result) = await RunAsync(
            "invalidate",
            (db, k) => db.ScriptEvaluateAsync(RedisScripts.Invalidate, k, [channel, kind.ToString(), name]),
            [generationKey],
            cancellationToken).ConfigureAwait(false);
        return ok && result is not null ? ParseLong(result) : null;
    }

    public async Task<bool> RemoveAsync(string key, string? scope, CancellationToken cancellationToken)
    {
        var channel = (RedisValue)Keys.Channel.ToString();
        var (ok, _) = await RunAsync(
            "remove",
            (db, k) => db.ScriptEvaluateAsync(RedisScripts.Remove, k, [channel, CacheMessages.KeyRemoved(key)]),
            [Keys.Value(key, scope)],
            cancellationToken).ConfigureAwait(false);
        return ok;
    }

    public async Task<bool> WriteAsync(string key, string? scope, byte[] payload, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var (ok, _) = await RunAsync(
            "write",
            (db, k) => db.StringSetAsync(k[0], payload, ttl),
            [Keys.Value(key, scope)],
            cancellationToken).ConfigureAwait(false);
        return ok;
    }

    /// <summary>Writes the value computed under a lease, releases the lease and wakes waiting instances.</summary>
    public async Task<bool> FillAsync(string key, string? scope, byte[] payload, TimeSpan ttl, string leaseToken, CancellationToken cancellationToken)
    {
        var channel = (RedisValue)Keys.Channel.ToString();
        var ttlMs = (long)Math.Max(1, ttl.TotalMilliseconds);
        var (ok, _) = await RunAsync(
            "fill",
            (db, k) => db.ScriptEvaluateAsync(RedisScripts.Fill, k, [payload, ttlMs, leaseToken, channel, CacheMessages.Filled(key)]),
            [Keys.Value(key, scope), Keys.Lease(key, scope)],
            cancellationToken).ConfigureAwait(false);
        return ok;
    }

    /// <summary>Takes the stampede lease of a key. False when another instance holds it or Redis can't be asked.</summary>
    public async Task<bool> TryAcquireLeaseAsync(string key, string? scope, string token, CancellationToken cancellationToken)
    {
        var (ok, taken) = await RunAsync(
            "lease",
            (db, k) => db.StringSetAsync(k[0], token, _options.DistributedLockLease, When.NotExists),
            [Keys.Lease(key, scope)],
            cancellationToken).ConfigureAwait(false);
        return ok && taken;
    }

    public async Task ReleaseLeaseAsync(string key, string? scope, string token)
    {
        await RunAsync(
            "release_lease",
            (db, k) => db.ScriptEvaluateAsync(RedisScripts.ReleaseLease, k, [token]),
            [Keys.Lease(key, scope)],
            CancellationToken.None).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned && _connection.IsCompletedSuccessfully)
        {
            await _connection.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static long ParseLong(RedisResult result) =>
        result.Resp2Type == ResultType.Integer ? (long)result : long.Parse((string)result!, CultureInfo.InvariantCulture);

    private Task<IConnectionMultiplexer> CurrentConnectionTask()
    {
        var task = _connection;
        if (!task.IsFaulted)
        {
            return task;
        }

        // A user-supplied connection factory failed: try it again, at most once per breaker period.
        lock (_connectLock)
        {
            var now = _time.GetUtcNow().UtcTicks;
            if (_connection.IsFaulted && now - _lastConnectAttempt >= _options.CircuitBreakerDuration.Ticks)
            {
                _lastConnectAttempt = now;
                _connection = StartConnect();
            }

            return _connection;
        }
    }

    private Task<IConnectionMultiplexer> StartConnect()
    {
        var task = Task.Run(_connect);
        task.ContinueWith(
            static (t, state) => Log.RedisOperationFailed((ILogger)state!, "connect", t.Exception!.GetBaseException()),
            _logger,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return task;
    }

    private async Task<(bool Ok, TResult? Value)> RunAsync<TResult>(
        string operation,
        Func<IDatabase, RedisKey[], Task<TResult>> command,
        RedisKey[] keys,
        CancellationToken cancellationToken)
    {
        if (!Breaker.AllowRequest())
        {
            return (false, default);
        }

        var connection = await GetConnectionAsync(_options.RedisTimeout, cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            Breaker.OnFailure();
            return (false, default);
        }

        try
        {
            var value = await command(connection.GetDatabase(), keys).WaitAsync(_options.RedisTimeout, _time, cancellationToken).ConfigureAwait(false);
            Breaker.OnSuccess();
            return (true, value);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            Breaker.OnFailure();
            _metrics.RedisError(operation);
            Log.RedisOperationFailed(_logger, operation, e);
            return (false, default);
        }
    }
}
