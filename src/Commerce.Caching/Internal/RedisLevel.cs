using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Commerce.Caching.Internal;

/// <summary>
/// The Redis commands of the cache. Every call on a request path is bounded by
/// <see cref="CommerceCacheOptions.RedisTimeout"/>, passes through the circuit breaker, and reports failure as a value
/// (never an exception, except the caller's own cancellation), so the cache can fall back to memory or the factory.
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
    private readonly RedisValue _channel;
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
        _channel = Keys.Channel.ToString();
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

    /// <summary>Reads an entry and, for a scoped key, its scope's generation (never below <paramref name="scopeFloor"/>).</summary>
    public async Task<RedisReadResult> ReadAsync(string key, string? scope, long scopeFloor, TimeSpan generationTtl, CancellationToken cancellationToken)
    {
        RedisKey[] keys = scope is null
            ? [Keys.Value(key, null)]
            : [Keys.Value(key, scope), Keys.ScopeGeneration(scope)];
        RedisValue[] args = [scopeFloor, GenerationMilliseconds(generationTtl)];
        var (ok, result) = await RunAsync(
            "read",
            (db, k) => db.ScriptEvaluateAsync(RedisScripts.Read, k, args),
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

    /// <summary>Reads a tag's (or everything's) generation, creating it when missing and never below <paramref name="floor"/>. Null when Redis can't be asked.</summary>
    public async Task<long?> ReadGenerationAsync(RedisKey key, long floor, TimeSpan generationTtl, CancellationToken cancellationToken)
    {
        RedisValue[] args = [floor, GenerationMilliseconds(generationTtl)];
        var (ok, result) = await RunAsync(
            "read_generation",
            (db, k) => db.ScriptEvaluateAsync(RedisScripts.ReadGeneration, k, args),
            [key],
            cancellationToken).ConfigureAwait(false);
        return ok && result is not null && !result.IsNull ? ParseLong(result) : null;
    }

    /// <summary>Moves a generation past <paramref name="floor"/> and announces it. The new generation, or null when Redis can't be asked.</summary>
    public async Task<long?> InvalidateAsync(RedisKey generationKey, char kind, string name, long floor, TimeSpan generationTtl, CancellationToken cancellationToken)
    {
        RedisValue[] args = [_channel, kind.ToString(), name, floor, GenerationMilliseconds(generationTtl)];
        var (ok, result) = await RunAsync(
            "invalidate",
            (db, k) => db.ScriptEvaluateAsync(RedisScripts.Invalidate, k, args),
            [generationKey],
            cancellationToken).ConfigureAwait(false);
        return ok && result is not null ? ParseLong(result) : null;
    }

    /// <summary>A versioned write (see <c>write.lua</c>): how it ended, and the version Redis gave it when written.</summary>
    public async Task<(WriteOutcome Outcome, long Version)> WriteAsync(RedisWrite write, CancellationToken cancellationToken)
    {
        RedisKey[] keys = write.Scope is null
            ? [Keys.Value(write.Key, null), Keys.Lease(write.Key, null)]
            : [Keys.Value(write.Key, write.Scope), Keys.Lease(write.Key, write.Scope), Keys.ScopeGeneration(write.Scope)];
        RedisValue[] args =
        [
            write.Bytes,
            Milliseconds(write.Ttl),
            write.Mode switch { WriteMode.Fill => "f", WriteMode.Set => write.Replay ? "S" : "s", _ => write.Replay ? "R" : "r" },
            WriteVersions.Format(write.Version),
            write.Expected is { } expected ? WriteVersions.Format(expected) : "",
            write.LeaseToken ?? "",
            _channel,
            write.Message.Kind == '\0' ? "" : write.Message.Kind.ToString(),
            Milliseconds(write.GenerationTtl),
            write.Message.Body ?? "",
        ];
        var (ok, result) = await RunAsync(
            write.Mode == WriteMode.Remove ? "remove" : "write",
            (db, k) => db.ScriptEvaluateAsync(RedisScripts.Write, k, args),
            keys,
            cancellationToken).ConfigureAwait(false);
        if (!ok || result is null)
        {
            return (WriteOutcome.Failed, 0);
        }

        var version = ParseLong(result);
        if (write.Scope is not null && version != 0)
        {
            // Lets HybridCache.RemoveAsync(key), which knows no scope, find the entry (another slot: its own command).
            await RunAsync(
                "write_scope_pointer",
                (db, k) => db.StringSetAsync(k[0], write.Scope, write.Ttl),
                [Keys.ScopeOf(write.Key)],
                cancellationToken).ConfigureAwait(false);
        }

        return version != 0 ? (WriteOutcome.Written, version) : (WriteOutcome.Superseded, 0);
    }

    /// <summary>Makes the generations of <paramref name="tags"/> outlive an entry just written with them (no wait).</summary>
    public void TouchGenerations(IReadOnlyList<string> tags, TimeSpan generationTtl)
    {
        var connection = Connection;
        if (connection is null || Breaker.IsOpen)
        {
            return;
        }

        RedisValue[] args = [Milliseconds(generationTtl)];
        var db = connection.GetDatabase();
        foreach (var tag in tags)
        {
            _ = db.ScriptEvaluateAsync(RedisScripts.TouchGeneration, [Keys.TagGeneration(tag)], args, CommandFlags.FireAndForget);
        }
    }

    /// <summary>The scope a key was last written under, so a remove without a scope finds it. (Ok, scope or null).</summary>
    public async Task<(bool Ok, string? Scope)> ReadScopeOfAsync(string key, CancellationToken cancellationToken)
    {
        var (ok, value) = await RunAsync(
            "read_scope_pointer",
            (db, k) => db.StringGetAsync(k[0]),
            [Keys.ScopeOf(key)],
            cancellationToken).ConfigureAwait(false);
        return (ok, ok && value.HasValue ? (string?)value : null);
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

    private static long Milliseconds(TimeSpan span) => (long)Math.Max(1, span.TotalMilliseconds);

    /// <summary>A generation's TTL for the scripts: zero keeps it forever (the one generation of "everything").</summary>
    private static long GenerationMilliseconds(TimeSpan span) => span <= TimeSpan.Zero ? 0 : Milliseconds(span);

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

        var verdict = false;
        try
        {
            var connection = await GetConnectionAsync(_options.RedisTimeout, cancellationToken).ConfigureAwait(false);
            if (connection is null)
            {
                verdict = true;
                Breaker.OnFailure();
                return (false, default);
            }

            var value = await command(connection.GetDatabase(), keys).WaitAsync(_options.RedisTimeout, _time, cancellationToken).ConfigureAwait(false);
            verdict = true;
            Breaker.OnSuccess();
            return (true, value);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw;
        }
        catch (Exception e)
        {
            verdict = true;
            Breaker.OnFailure();
            _metrics.RedisError(operation);
            Log.RedisOperationFailed(_logger, operation, e);
            return (false, default);
        }
        finally
        {
            if (!verdict)
            {
                // Cancelled before Redis answered: no verdict, so a half-open probe must not keep the breaker shut.
                Breaker.OnAbandoned();
            }
        }
    }
}
