using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Commerce.Caching.Internal;

/// <summary>
/// The cache. How it stays correct:
/// <list type="bullet">
/// <item>Each scope and tag has a <em>generation</em> in Redis that only grows. Invalidating is one INCR (O(1)); an
/// entry records the generations it was computed under, taken <em>before</em> its factory ran, and is stale as
/// soon as one has moved on. So a value computed from data older than an invalidation is never served as fresh
/// after it, even when its write lands later.</item>
/// <item>A scope's keys share a Redis hash slot, so an entry and its scope's generation are read by one script in
/// one round trip, also on Redis Cluster.</item>
/// <item>The memory level trusts its entries only while the invalidation channel is healthy (see
/// <see cref="InvalidationChannel"/>); losing it or restoring it starts a new <em>epoch</em>, and entries of an
/// older epoch are not served as fresh.</item>
/// </list>
/// </summary>
internal sealed class DefaultCommerceCache : CommerceCache, IAsyncDisposable, IDisposable
{
    private const string GlobalTag = "*";
    private static readonly ActivitySource Activities = new(CommerceCachingDiagnostics.ActivitySourceName);

    private readonly CommerceCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CachingMetrics _metrics;
    private readonly MemoryLevel _memory;
    private readonly RedisLevel? _redis;
    private readonly InvalidationChannel? _channel;
    private readonly SerializerRegistry _serializers;
    private readonly EntrySettings _defaults;
    private readonly ConcurrentDictionary<string, GenerationState> _scopes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GenerationState> _tags = new(StringComparer.Ordinal);
    private readonly GenerationState _global = new(GlobalTag);
    private readonly ConcurrentDictionary<string, Flight> _flights = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _fillWaiters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<PendingInvalidation, byte> _pending = new();
    private readonly ITimer _sweepTimer;
    private readonly ITimer? _retryTimer;
    private long _epoch;
    private long _leaseCounter;
    private int _replaying;
    private int _disposed;

    public DefaultCommerceCache(
        IOptions<CommerceCacheOptions> options,
        IServiceProvider services,
        TimeProvider time,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        RedisConnectionRegistration? redis = null)
    {
        _options = options.Value;
        _time = time;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Commerce.Caching");
        _defaults = EntrySettings.From(_options, (CommerceCacheEntryOptions?)null);
        _serializers = new SerializerRegistry(services, _options.JsonSerializerOptions ?? new JsonSerializerOptions(JsonSerializerDefaults.Web));
        _tags[GlobalTag] = _global;

        RedisLevel? redisLevel = null;
        _metrics = new CachingMetrics(meterFactory, () => _memory?.Count ?? 0, () => redisLevel?.Breaker.IsOpen == true ? 1 : 0);
        _memory = new MemoryLevel(_options.MaxLocalEntries, _metrics.Evicted);

        redis ??= _options.RedisConfiguration is { } configuration
            ? new RedisConnectionRegistration(_ => ConnectAsync(configuration), Owned: true)
            : null;
        if (redis is not null)
        {
            redisLevel = new RedisLevel(() => redis.Connect(services), redis.Owned, _options, time, _logger, _metrics);
            _redis = redisLevel;
            _channel = new InvalidationChannel(redisLevel, _options, time, _logger, OnChannelMessage, OnChannelLost, OnChannelRestored);
            _retryTimer = time.CreateTimer(static s => ((DefaultCommerceCache)s!).ReplayPending(), this, _options.InvalidationRetryInterval, _options.InvalidationRetryInterval);
        }

        _sweepTimer = time.CreateTimer(static s => ((DefaultCommerceCache)s!).Sweep(), this, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    public override CommerceCacheStatus Status => new()
    {
        RedisConfigured = _redis is not null,
        RedisAvailable = _redis?.IsAvailable == true,
        InvalidationChannelHealthy = IsChannelHealthy,
        PendingInvalidations = _pending.Count,
        LocalEntries = _memory.Count,
    };

    private bool IsChannelHealthy => _channel is null || _channel.IsHealthy;

    private long Now => _time.GetUtcNow().UtcTicks;

    /// <summary>Subscribes to the invalidation channel now rather than on the first heartbeat tick.</summary>
    public Task StartAsync() => _channel?.EnsureSubscribedAsync() ?? Task.CompletedTask;

    // ---------------------------------------------------------------- reads

    public override ValueTask<T> GetOrSetAsync<TState, T>(
        string key,
        TState state,
        Func<TState, CancellationToken, ValueTask<T>> factory,
        CommerceCacheEntryOptions? options = null,
        string? scope = null,
        CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        CheckScope(scope);
        ArgumentNullException.ThrowIfNull(factory);
        if ((options is null || (options.Flags & HybridCacheEntryFlags.DisableLocalCacheRead) == 0) && TryGetFresh(key, scope, out var value))
        {
            _metrics.MemoryHit();
            return new ValueTask<T>((T)value!);
        }

        var settings = options is null ? _defaults : EntrySettings.From(_options, options);
        return new ValueTask<T>(GetOrSetSlowAsync(key, state, factory, settings, scope, cancellationToken));
    }

    public override ValueTask<T> GetOrCreateAsync<TState, T>(
        string key,
        TState state,
        Func<TState, CancellationToken, ValueTask<T>> factory,
        HybridCacheEntryOptions? options = null,
        IEnumerable<string>? tags = null,
        CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        ArgumentNullException.ThrowIfNull(factory);
        var flags = options?.Flags ?? HybridCacheEntryFlags.None;
        if ((flags & HybridCacheEntryFlags.DisableLocalCacheRead) == 0 && TryGetFresh(key, null, out var value))
        {
            _metrics.MemoryHit();
            return new ValueTask<T>((T)value!);
        }

        var settings = EntrySettings.From(_options, options, Materialize(tags));
        return new ValueTask<T>(GetOrSetSlowAsync(key, state, factory, settings, null, cancellationToken));
    }

    public override async ValueTask<CacheValue<T>> TryGetAsync<T>(string key, string? scope = null, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        CheckScope(scope);
        if (TryGetFresh(key, scope, out var value))
        {
            _metrics.MemoryHit();
            return new CacheValue<T>((T)value!);
        }

        if (_redis is null)
        {
            return CacheValue<T>.None;
        }

        var epoch = Volatile.Read(ref _epoch);
        var read = await ReadRedisAsync(key, scope, [], cancellationToken).ConfigureAwait(false);
        var found = await TryAcceptRedisEntryAsync<T>(key, scope, read, _defaults, epoch, cancellationToken).ConfigureAwait(false);
        if (found.Fresh)
        {
            _metrics.RedisHit();
            return new CacheValue<T>(found.Value!);
        }

        return CacheValue<T>.None;
    }

    public override async ValueTask<IReadOnlyDictionary<string, T>> GetOrSetManyAsync<T>(
        IEnumerable<string> keys,
        Func<IReadOnlyList<string>, CancellationToken, ValueTask<IReadOnlyDictionary<string, T>>> factory,
        CommerceCacheEntryOptions? options = null,
        string? scope = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(factory);
        CheckScope(scope);
        var settings = options is null ? _defaults : EntrySettings.From(_options, options);
        var result = new Dictionary<string, T>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var key in keys.Distinct(StringComparer.Ordinal))
        {
            CheckKey(key);
            if (settings.ReadLocal && TryGetFresh(key, scope, out var value))
            {
                _metrics.MemoryHit();
                result[key] = (T)value!;
            }
            else
            {
                missing.Add(key);
            }
        }

        if (missing.Count == 0)
        {
            return result;
        }

        var scopeState = scope is null ? null : _scopes.GetOrAdd(scope, static s => new GenerationState(s));
        var tagStates = ResolveTags(settings.Tags);
        var epoch = Volatile.Read(ref _epoch);
        var scopeGeneration = scopeState?.Generation ?? 0;
        var stale = new Dictionary<string, T>(StringComparer.Ordinal);

        // One pipelined round trip for every key still missing.
        if (_redis is not null && settings.ReadDistributed)
        {
            var unknown = UnknownStates(tagStates);
            var reads = missing.Select(k => ReadRedisAsync(k, scope, [], cancellationToken)).ToArray();
            if (unknown.Count > 0)
            {
                await _redis.LoadGenerationsAsync(unknown, cancellationToken).ConfigureAwait(false);
            }

            var stillMissing = new List<string>();
            for (var i = 0; i < missing.Count; i++)
            {
                var read = await reads[i].ConfigureAwait(false);
                var accepted = await TryAcceptRedisEntryAsync<T>(missing[i], scope, read, settings, epoch, cancellationToken).ConfigureAwait(false);
                if (read.Ok && scopeState is not null)
                {
                    scopeGeneration = Math.Max(scopeGeneration, read.ScopeGeneration);
                }

                if (accepted.Fresh)
                {
                    _metrics.RedisHit();
                    result[missing[i]] = accepted.Value!;
                }
                else
                {
                    if (accepted.HasStale)
                    {
                        stale[missing[i]] = accepted.Value!;
                    }

                    stillMissing.Add(missing[i]);
                }
            }

            missing = stillMissing;
        }

        if (missing.Count == 0 || !settings.CallFactory)
        {
            return result;
        }

        // Stampede protection: lead the keys nobody is loading, join the others.
        var led = new List<(string Key, Flight Flight)>();
        var joined = new List<(string Key, Flight Flight)>();
        foreach (var key in missing)
        {
            var flight = new Flight();
            if (_flights.TryAdd(key, flight))
            {
                led.Add((key, flight));
            }
            else
            {
                flight.Dispose();
                if (_flights.TryGetValue(key, out var existing))
                {
                    joined.Add((key, existing));
                }
            }
        }

        if (led.Count > 0)
        {
            var stamps = Stamp(tagStates);
            var globalGeneration = _global.Generation;
            var degraded = !IsChannelHealthy;
            var ledKeys = led.Select(l => l.Key).ToArray();
            _metrics.Miss();
            IReadOnlyDictionary<string, T> computed;
            var started = _time.GetTimestamp();
            try
            {
                computed = await factory(ledKeys, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (settings.FailSafe && stale.Count > 0 && !cancellationToken.IsCancellationRequested)
            {
                Log.StaleServed(_logger, ledKeys[0], e);
                computed = new Dictionary<string, T>(StringComparer.Ordinal);
                foreach (var (key, flight) in led)
                {
                    if (stale.TryGetValue(key, out var old))
                    {
                        _metrics.StaleServed();
                        result[key] = old;
                    }

                    flight.Complete(Flight.Missing);
                }
            }
            catch (Exception e)
            {
                foreach (var (key, flight) in led)
                {
                    flight.Fail(e);
                    EndFlight(key, flight);
                }

                throw;
            }
            finally
            {
                _metrics.FactoryDuration(_time.GetElapsedTime(started));
            }

            foreach (var (key, flight) in led)
            {
                if (computed.TryGetValue(key, out var value))
                {
                    result[key] = value;
                    await StoreAsync(key, scope, value, settings, scopeState, scopeGeneration, globalGeneration, stamps, epoch, degraded, null, cancellationToken).ConfigureAwait(false);
                    flight.Complete(value);
                }
                else
                {
                    flight.Complete(Flight.Missing);
                }

                EndFlight(key, flight);
            }
        }

        foreach (var (key, flight) in joined)
        {
            var value = await flight.JoinAsync(cancellationToken).ConfigureAwait(false);
            if (!ReferenceEquals(value, Flight.Missing))
            {
                result[key] = (T)value!;
            }
        }

        return result;
    }

    // ---------------------------------------------------------------- writes

    public override ValueTask SetAsync<T>(string key, T value, HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        return SetCoreAsync(key, value, EntrySettings.From(_options, options, Materialize(tags)), null, cancellationToken);
    }

    public override ValueTask SetAsync<T>(string key, T value, CommerceCacheEntryOptions? options, string? scope = null, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        CheckScope(scope);
        return SetCoreAsync(key, value, options is null ? _defaults : EntrySettings.From(_options, options), scope, cancellationToken);
    }

    public override ValueTask RemoveAsync(string key, CancellationToken token = default)
    {
        CheckKey(key);
        var scope = _memory.TryGet(key, out var entry) ? entry.Scope : null;
        return RemoveAsync(key, scope, token);
    }

    public override async ValueTask RemoveAsync(string key, string? scope, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        CheckScope(scope);
        _memory.Remove(key);
        _metrics.Invalidation("key", remote: false);
        if (_redis is not null && !await _redis.RemoveAsync(key, scope, cancellationToken).ConfigureAwait(false))
        {
            Queue(new PendingInvalidation(CacheMessages.Key, key, scope));
        }
    }

    public override async ValueTask InvalidateScopeAsync(string scope, CancellationToken cancellationToken = default)
    {
        CheckScope(scope);
        ArgumentException.ThrowIfNullOrEmpty(scope);
        using var activity = Activities.StartActivity("commerce.cache.invalidate_scope");
        activity?.SetTag("commerce.cache.scope", scope);
        var state = _scopes.GetOrAdd(scope, static s => new GenerationState(s));
        _metrics.Invalidation("scope", remote: false);
        if (_redis is null)
        {
            state.IncrementLocal();
            return;
        }

        var generation = await _redis.InvalidateAsync(_redis.Keys.ScopeGeneration(scope), CacheMessages.Scope, scope, cancellationToken).ConfigureAwait(false);
        if (generation is { } g)
        {
            state.Advance(g);
        }
        else
        {
            Queue(new PendingInvalidation(CacheMessages.Scope, scope, null));
        }
    }

    public override async ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        using var activity = Activities.StartActivity("commerce.cache.invalidate_tag");
        activity?.SetTag("commerce.cache.tag", tag);
        var state = tag == GlobalTag ? _global : _tags.GetOrAdd(tag, static t => new GenerationState(t));
        _metrics.Invalidation(tag == GlobalTag ? "all" : "tag", remote: false);
        if (_redis is null)
        {
            state.IncrementLocal();
            return;
        }

        var generation = await _redis.InvalidateAsync(_redis.Keys.TagGeneration(tag), CacheMessages.Tag, tag, cancellationToken).ConfigureAwait(false);
        if (generation is { } g)
        {
            state.Advance(g);
        }
        else
        {
            Queue(new PendingInvalidation(CacheMessages.Tag, tag, null));
        }
    }

    // ---------------------------------------------------------------- core

    private bool TryGetFresh(string key, string? scope, out object? value)
    {
        if (_memory.TryGet(key, out var entry))
        {
            var now = Now;
            if (IsFresh(entry, scope, now))
            {
                if (now - entry.LastAccess > TimeSpan.TicksPerSecond)
                {
                    entry.LastAccess = now;
                }

                value = entry.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    private bool IsFresh(MemoryEntry entry, string? scope, long now)
    {
        if (now >= entry.FreshUntil || entry.Epoch != Volatile.Read(ref _epoch) || entry.GlobalGeneration != _global.Generation)
        {
            return false;
        }

        if (entry.ScopeState is { } scopeState)
        {
            if (scopeState.Generation != entry.ScopeGeneration || !string.Equals(entry.Scope, scope, StringComparison.Ordinal))
            {
                return false;
            }
        }
        else if (scope is not null)
        {
            return false;
        }

        foreach (var tag in entry.Tags)
        {
            if (!tag.IsCurrent)
            {
                return false;
            }
        }

        return true;
    }

    private async Task<T> GetOrSetSlowAsync<TState, T>(
        string key,
        TState state,
        Func<TState, CancellationToken, ValueTask<T>> factory,
        EntrySettings settings,
        string? scope,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!_flights.TryGetValue(key, out var flight))
            {
                var mine = new Flight();
                if (!_flights.TryAdd(key, mine))
                {
                    mine.Dispose();
                    continue;
                }

                flight = mine;
                _ = RunFlightAsync(mine, key, state, factory, settings, scope);
            }

            var result = await flight.JoinAsync(cancellationToken).ConfigureAwait(false);
            if (!ReferenceEquals(result, Flight.Missing))
            {
                return (T)result!;
            }
        }
    }

    private async Task RunFlightAsync<TState, T>(
        Flight flight,
        string key,
        TState state,
        Func<TState, CancellationToken, ValueTask<T>> factory,
        EntrySettings settings,
        string? scope)
    {
        try
        {
            var value = await LoadAsync(key, state, factory, settings, scope, flight.Token).ConfigureAwait(false);
            flight.Complete(value);
        }
        catch (Exception e)
        {
            flight.Fail(e);
        }
        finally
        {
            EndFlight(key, flight);
        }
    }

    private void EndFlight(string key, Flight flight)
    {
        _flights.TryRemove(new KeyValuePair<string, Flight>(key, flight));
        flight.Dispose();
    }

    private async Task<T> LoadAsync<TState, T>(
        string key,
        TState state,
        Func<TState, CancellationToken, ValueTask<T>> factory,
        EntrySettings settings,
        string? scope,
        CancellationToken cancellationToken)
    {
        var now = Now;
        var epoch = Volatile.Read(ref _epoch);

        // Another flight may have filled memory between the caller's check and this one.
        (bool Has, T? Value, long RetainUntil) stale = default;
        if (_memory.TryGet(key, out var memory))
        {
            if (settings.ReadLocal && IsFresh(memory, scope, now))
            {
                _metrics.MemoryHit();
                return (T)memory.Value!;
            }

            if (memory.RetainUntil > now && string.Equals(memory.Scope, scope, StringComparison.Ordinal))
            {
                stale = (true, (T)memory.Value!, memory.RetainUntil);
            }
        }

        using var activity = Activities.StartActivity("commerce.cache.get_or_set");
        activity?.SetTag("commerce.cache.key", key);
        activity?.SetTag("commerce.cache.scope", scope);

        var scopeState = scope is null ? null : _scopes.GetOrAdd(scope, static s => new GenerationState(s));
        var tagStates = ResolveTags(settings.Tags);
        var scopeGeneration = scopeState?.Generation ?? 0;
        string? lease = null;

        if (_redis is not null && settings.ReadDistributed)
        {
            var read = await ReadRedisAsync(key, scope, tagStates, cancellationToken).ConfigureAwait(false);
            var accepted = await TryAcceptRedisEntryAsync<T>(key, scope, read, settings, epoch, cancellationToken).ConfigureAwait(false);
            if (accepted.Fresh)
            {
                _metrics.RedisHit();
                activity?.SetTag("commerce.cache.outcome", "redis_hit");
                return accepted.Value!;
            }

            if (accepted.HasStale && !stale.Has)
            {
                stale = (true, accepted.Value, long.MaxValue);
            }

            if (read.Ok)
            {
                scopeGeneration = read.ScopeGeneration;
                if (settings.DistributedStampedeProtection)
                {
                    var waited = await LeaseOrWaitAsync<T>(key, scope, settings, epoch, tagStates, cancellationToken).ConfigureAwait(false);
                    if (waited.Fresh)
                    {
                        _metrics.RedisHit();
                        activity?.SetTag("commerce.cache.outcome", "redis_hit_after_wait");
                        return waited.Value!;
                    }

                    lease = waited.Lease;
                    scopeGeneration = waited.ScopeGeneration ?? scopeGeneration;
                }
            }
        }

        if (!settings.CallFactory)
        {
            return default!;
        }

        // The generations this value will be stamped with are taken now, before the factory reads the data.
        var stamps = Stamp(tagStates);
        var globalGeneration = _global.Generation;
        var degraded = !IsChannelHealthy;
        _metrics.Miss();
        activity?.SetTag("commerce.cache.outcome", "miss");

        T value;
        var started = _time.GetTimestamp();
        try
        {
            value = await factory(state, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (settings.FailSafe && stale.Has && !cancellationToken.IsCancellationRequested)
        {
            Log.StaleServed(_logger, key, e);
            _metrics.StaleServed();
            activity?.SetTag("commerce.cache.outcome", "stale_served");
            ReleaseLease(key, scope, lease);

            // Serve the old value for the throttle duration before trying the factory again.
            var throttleNow = Now;
            var throttled = new MemoryEntry
            {
                Value = stale.Value,
                Scope = scope,
                ScopeState = scopeState,
                ScopeGeneration = scopeState?.Generation ?? 0,
                GlobalGeneration = _global.Generation,
                Tags = Stamp(tagStates),
                Epoch = Volatile.Read(ref _epoch),
                FreshUntil = throttleNow + _options.FailSafeThrottleDuration.Ticks,
                RetainUntil = Math.Max(stale.RetainUntil, throttleNow + _options.FailSafeThrottleDuration.Ticks),
                LastAccess = throttleNow,
            };
            _memory.Set(key, throttled, throttleNow);
            return stale.Value!;
        }
        catch
        {
            ReleaseLease(key, scope, lease);
            throw;
        }
        finally
        {
            _metrics.FactoryDuration(_time.GetElapsedTime(started));
        }

        await StoreAsync(key, scope, value, settings, scopeState, scopeGeneration, globalGeneration, stamps, epoch, degraded, lease, cancellationToken).ConfigureAwait(false);
        return value;
    }

    /// <summary>
    /// Distributed stampede protection after a miss: take the key's lease (then this instance runs the factory), or
    /// wait for the holder's value, woken by its fill message and re-reading with backoff, until the lease would
    /// have expired.
    /// </summary>
    private async Task<(bool Fresh, T? Value, string? Lease, long? ScopeGeneration)> LeaseOrWaitAsync<T>(
        string key,
        string? scope,
        EntrySettings settings,
        long epoch,
        GenerationState[] tagStates,
        CancellationToken cancellationToken)
    {
        var redis = _redis!;
        var token = $"{_channel!.Instance}:{Interlocked.Increment(ref _leaseCounter)}";
        var deadline = _time.GetTimestamp() + (long)(_options.DistributedLockLease.TotalSeconds * _time.TimestampFrequency);
        var delay = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            var waiter = _fillWaiters.GetOrAdd(key, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            if (await redis.TryAcquireLeaseAsync(key, scope, token, cancellationToken).ConfigureAwait(false))
            {
                // The holder may have filled between our read and our lease: check once more.
                var again = await ReadRedisAsync(key, scope, tagStates, cancellationToken).ConfigureAwait(false);
                var accepted = await TryAcceptRedisEntryAsync<T>(key, scope, again, settings, epoch, cancellationToken).ConfigureAwait(false);
                if (accepted.Fresh)
                {
                    ReleaseLease(key, scope, token);
                    return (true, accepted.Value, null, null);
                }

                return (false, default, token, again.Ok ? again.ScopeGeneration : null);
            }

            if (!redis.IsAvailable || _time.GetTimestamp() >= deadline)
            {
                return (false, default, null, null);
            }

            await Task.WhenAny(waiter.Task, Task.Delay(delay, _time, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(250).Ticks));

            var read = await ReadRedisAsync(key, scope, tagStates, cancellationToken).ConfigureAwait(false);
            var found = await TryAcceptRedisEntryAsync<T>(key, scope, read, settings, epoch, cancellationToken).ConfigureAwait(false);
            if (found.Fresh)
            {
                return (true, found.Value, null, null);
            }
        }
    }

    private void ReleaseLease(string key, string? scope, string? lease)
    {
        if (lease is not null && _redis is not null)
        {
            _ = _redis.ReleaseLeaseAsync(key, scope, lease);
        }
    }

    /// <summary>Reads an entry from Redis, loading in the same round trip the generations this instance does not know.</summary>
    private async Task<RedisReadResult> ReadRedisAsync(string key, string? scope, GenerationState[] tagStates, CancellationToken cancellationToken)
    {
        var redis = _redis!;
        var unknown = UnknownStates(tagStates);
        var read = redis.ReadAsync(key, scope, cancellationToken);
        if (unknown.Count > 0)
        {
            await redis.LoadGenerationsAsync(unknown, cancellationToken).ConfigureAwait(false);
        }

        var result = await read.ConfigureAwait(false);
        if (result.Ok && scope is not null)
        {
            _scopes.GetOrAdd(scope, static s => new GenerationState(s)).Advance(result.ScopeGeneration);
        }

        return result;
    }

    /// <summary>
    /// Decides whether an entry read from Redis is fresh (then caches it in memory), or only usable as a fail-safe
    /// fallback, or not usable.
    /// </summary>
    private async Task<(bool Fresh, bool HasStale, T? Value)> TryAcceptRedisEntryAsync<T>(
        string key,
        string? scope,
        RedisReadResult read,
        EntrySettings settings,
        long epoch,
        CancellationToken cancellationToken)
    {
        if (!read.Ok || !read.Found || !EntryCodec.TryDecode(read.Value, out var header, out var payload))
        {
            return default;
        }

        T value;
        try
        {
            value = _serializers.Get<T>().Deserialize(new ReadOnlySequence<byte>(payload));
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            Log.DeserializationFailed(_logger, key, e);
            return default;
        }

        // Tags of the entry this instance has not seen yet: one more round trip, only the first time.
        var tagStates = new TagStamp[header.Tags.Length];
        List<GenerationState>? unknown = null;
        for (var i = 0; i < header.Tags.Length; i++)
        {
            var tagState = _tags.GetOrAdd(header.Tags[i].Key, static t => new GenerationState(t));
            tagStates[i] = new TagStamp(tagState, header.Tags[i].Value);
            if (!tagState.Known)
            {
                (unknown ??= []).Add(tagState);
            }
        }

        if (!_global.Known)
        {
            (unknown ??= []).Add(_global);
        }

        if (unknown is not null)
        {
            await _redis!.LoadGenerationsAsync(unknown, cancellationToken).ConfigureAwait(false);
        }

        var now = Now;
        var fresh = header.FreshUntil > now
            && (scope is null || header.ScopeGeneration == read.ScopeGeneration)
            && header.GlobalGeneration == _global.Generation
            && tagStates.All(t => t.IsCurrent)
            && !IsPending(key, scope, header.Tags);

        if (!fresh)
        {
            return (false, header.FailSafe, value);
        }

        if (settings.WriteLocal)
        {
            var freshUntil = Math.Min(header.FreshUntil, now + settings.LocalDuration.Ticks);
            if (!IsChannelHealthy)
            {
                freshUntil = Math.Min(freshUntil, now + _options.DisconnectedLocalDuration.Ticks);
            }

            var retain = header.FailSafe ? Math.Max(freshUntil, header.FreshUntil + settings.FailSafeMaxDuration.Ticks) : freshUntil;
            _memory.Set(
                key,
                new MemoryEntry
                {
                    Value = value,
                    Scope = scope,
                    ScopeState = scope is null ? null : _scopes.GetOrAdd(scope, static s => new GenerationState(s)),
                    ScopeGeneration = header.ScopeGeneration,
                    GlobalGeneration = header.GlobalGeneration,
                    Tags = tagStates,
                    Epoch = epoch,
                    FreshUntil = freshUntil,
                    RetainUntil = retain,
                    LastAccess = now,
                },
                now);
        }

        return (true, false, value);
    }

    private async ValueTask SetCoreAsync<T>(string key, T value, EntrySettings settings, string? scope, CancellationToken cancellationToken)
    {
        var epoch = Volatile.Read(ref _epoch);
        var scopeState = scope is null ? null : _scopes.GetOrAdd(scope, static s => new GenerationState(s));
        var tagStates = ResolveTags(settings.Tags);
        var scopeGeneration = scopeState?.Generation ?? 0;
        if (_redis is not null)
        {
            var unknown = UnknownStates(tagStates);
            var generation = scope is null ? null : _redis.ReadScopeGenerationAsync(scope, cancellationToken);
            if (unknown.Count > 0)
            {
                await _redis.LoadGenerationsAsync(unknown, cancellationToken).ConfigureAwait(false);
            }

            if (generation is not null && await generation.ConfigureAwait(false) is { } g)
            {
                scopeState!.Advance(g);
                scopeGeneration = g;
            }
        }

        await StoreAsync(key, scope, value, settings, scopeState, scopeGeneration, _global.Generation, Stamp(tagStates), epoch, !IsChannelHealthy, null, cancellationToken).ConfigureAwait(false);
    }

    private async Task StoreAsync<T>(
        string key,
        string? scope,
        T value,
        EntrySettings settings,
        GenerationState? scopeState,
        long scopeGeneration,
        long globalGeneration,
        TagStamp[] stamps,
        long epoch,
        bool degraded,
        string? lease,
        CancellationToken cancellationToken)
    {
        var now = Now;
        var jitter = settings.JitterMaxDuration > TimeSpan.Zero
            ? TimeSpan.FromTicks(Random.Shared.NextInt64(settings.JitterMaxDuration.Ticks + 1))
            : TimeSpan.Zero;
        var duration = settings.Duration + jitter;
        var freshUntil = now + duration.Ticks;
        if (settings.WriteLocal)
        {
            var localFresh = Math.Min(freshUntil, now + (settings.LocalDuration + jitter).Ticks);
            if (degraded)
            {
                localFresh = Math.Min(localFresh, now + _options.DisconnectedLocalDuration.Ticks);
            }

            _memory.Set(
                key,
                new MemoryEntry
                {
                    Value = value,
                    Scope = scope,
                    ScopeState = scopeState,
                    ScopeGeneration = scopeGeneration,
                    GlobalGeneration = globalGeneration,
                    Tags = stamps,
                    Epoch = epoch,
                    FreshUntil = localFresh,
                    RetainUntil = settings.FailSafe ? freshUntil + settings.FailSafeMaxDuration.Ticks : localFresh,
                    LastAccess = now,
                },
                now);
        }

        if (_redis is null || !settings.WriteDistributed)
        {
            ReleaseLease(key, scope, lease);
            return;
        }

        var tags = new KeyValuePair<string, long>[stamps.Length];
        for (var i = 0; i < stamps.Length; i++)
        {
            tags[i] = new KeyValuePair<string, long>(stamps[i].State.Name, stamps[i].Generation);
        }

        var header = new EntryHeader(now, freshUntil, scopeGeneration, globalGeneration, settings.FailSafe, tags);
        var payload = EntryCodec.Encode(value, _serializers.Get<T>(), header);
        if (payload.Length > _options.MaxPayloadBytes)
        {
            Log.PayloadTooLarge(_logger, key, payload.Length);
            ReleaseLease(key, scope, lease);
            return;
        }

        var ttl = duration + (settings.FailSafe ? settings.FailSafeMaxDuration : TimeSpan.Zero);
        if (lease is null)
        {
            await _redis.WriteAsync(key, scope, payload, ttl, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _redis.FillAsync(key, scope, payload, ttl, lease, cancellationToken).ConfigureAwait(false);
        }
    }

    // ---------------------------------------------------------------- generations, channel, pending work

    private GenerationState[] ResolveTags(IReadOnlyList<string>? tags)
    {
        if (tags is null || tags.Count == 0)
        {
            return [];
        }

        var states = new GenerationState[tags.Count];
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = tags[i];
            if (string.IsNullOrEmpty(tag) || tag == GlobalTag)
            {
                throw new ArgumentException($"Tag '{tag}' is not allowed: tags must be non-empty and '{GlobalTag}' is reserved for 'everything'.", nameof(tags));
            }

            states[i] = _tags.GetOrAdd(tag, static t => new GenerationState(t));
        }

        return states;
    }

    private List<GenerationState> UnknownStates(GenerationState[] tagStates)
    {
        var unknown = new List<GenerationState>();
        if (_redis is null)
        {
            return unknown;
        }

        if (!_global.Known)
        {
            unknown.Add(_global);
        }

        foreach (var state in tagStates)
        {
            if (!state.Known)
            {
                unknown.Add(state);
            }
        }

        return unknown;
    }

    private static TagStamp[] Stamp(GenerationState[] tagStates)
    {
        if (tagStates.Length == 0)
        {
            return [];
        }

        var stamps = new TagStamp[tagStates.Length];
        for (var i = 0; i < tagStates.Length; i++)
        {
            stamps[i] = new TagStamp(tagStates[i], tagStates[i].Generation);
        }

        return stamps;
    }

    /// <summary>True when an invalidation touching this entry is still waiting to reach Redis.</summary>
    private bool IsPending(string key, string? scope, KeyValuePair<string, long>[] tags)
    {
        if (_pending.IsEmpty)
        {
            return false;
        }

        if (_pending.ContainsKey(new PendingInvalidation(CacheMessages.Key, key, scope))
            || _pending.ContainsKey(new PendingInvalidation(CacheMessages.Tag, GlobalTag, null))
            || (scope is not null && _pending.ContainsKey(new PendingInvalidation(CacheMessages.Scope, scope, null))))
        {
            return true;
        }

        foreach (var tag in tags)
        {
            if (_pending.ContainsKey(new PendingInvalidation(CacheMessages.Tag, tag.Key, null)))
            {
                return true;
            }
        }

        return false;
    }

    private void Queue(PendingInvalidation invalidation)
    {
        _pending[invalidation] = 0;

        // This instance must not serve what it just invalidated, and it can't tell the others yet: stop trusting
        // everything in memory now (a new epoch); the invalidation is sent when Redis answers again.
        Interlocked.Increment(ref _epoch);
        Log.InvalidationQueued(_logger, invalidation.Kind switch { CacheMessages.Scope => "scope", CacheMessages.Tag => "tag", _ => "key" }, invalidation.Name);
    }

    private void ReplayPending()
    {
        if (_pending.IsEmpty || _redis is null || Interlocked.CompareExchange(ref _replaying, 1, 0) != 0)
        {
            return;
        }

        _ = ReplayPendingAsync();
    }

    private async Task ReplayPendingAsync()
    {
        var redis = _redis!;
        var sent = 0;
        try
        {
            foreach (var pending in _pending.Keys)
            {
                var ok = pending.Kind switch
                {
                    CacheMessages.Scope => await redis.InvalidateAsync(redis.Keys.ScopeGeneration(pending.Name), CacheMessages.Scope, pending.Name, CancellationToken.None).ConfigureAwait(false) is { } g && Advance(_scopes, pending.Name, g),
                    CacheMessages.Tag => await redis.InvalidateAsync(redis.Keys.TagGeneration(pending.Name), CacheMessages.Tag, pending.Name, CancellationToken.None).ConfigureAwait(false) is { } t && Advance(_tags, pending.Name, t),
                    _ => await redis.RemoveAsync(pending.Name, pending.Scope, CancellationToken.None).ConfigureAwait(false),
                };
                if (!ok)
                {
                    break;
                }

                _pending.TryRemove(pending, out _);
                sent++;
            }
        }
        finally
        {
            Volatile.Write(ref _replaying, 0);
        }

        if (sent > 0)
        {
            Log.InvalidationsReplayed(_logger, sent);
        }
    }

    private static bool Advance(ConcurrentDictionary<string, GenerationState> states, string name, long generation)
    {
        if (states.TryGetValue(name, out var state))
        {
            state.Advance(generation);
        }

        return true;
    }

    private void OnChannelMessage(string message)
    {
        switch (message[0])
        {
            case CacheMessages.Scope when CacheMessages.TryParseNumbered(message, out var generation, out var scope):
                if (_scopes.TryGetValue(scope, out var scopeState))
                {
                    scopeState.Advance(generation);
                }

                _metrics.Invalidation("scope", remote: true);
                break;
            case CacheMessages.Tag when CacheMessages.TryParseNumbered(message, out var generation, out var tag):
                if (_tags.TryGetValue(tag, out var tagState))
                {
                    tagState.Advance(generation);
                }

                _metrics.Invalidation(tag == GlobalTag ? "all" : "tag", remote: true);
                break;
            case CacheMessages.Key:
                _memory.Remove(message[1..]);
                _metrics.Invalidation("key", remote: true);
                break;
            case CacheMessages.Fill:
                if (_fillWaiters.TryRemove(message[1..], out var waiter))
                {
                    waiter.TrySetResult();
                }

                break;
        }
    }

    private void OnChannelLost()
    {
        // Invalidations may be lost from now on: nothing in memory is fresh any more, and tag generations must be
        // read again from Redis before they are trusted.
        Interlocked.Increment(ref _epoch);
        foreach (var state in _tags.Values)
        {
            state.Forget();
        }
    }

    private void OnChannelRestored()
    {
        // What was cached while we could not hear invalidations is not trusted after.
        Interlocked.Increment(ref _epoch);
        foreach (var state in _tags.Values)
        {
            state.Forget();
        }

        ReplayPending();
    }

    private void Sweep() => _memory.SweepExpired(Now);

    private static IReadOnlyList<string>? Materialize(IEnumerable<string>? tags) =>
        tags switch
        {
            null => null,
            IReadOnlyList<string> list => list,
            _ => tags.ToArray(),
        };

    private static void CheckKey(string key) => ArgumentException.ThrowIfNullOrEmpty(key);

    private static void CheckScope(string? scope)
    {
        if (scope is not null && (scope.Length == 0 || scope.AsSpan().IndexOfAny('{', '}') >= 0))
        {
            throw new ArgumentException("A scope must be non-empty and must not contain '{' or '}'.", nameof(scope));
        }
    }

    private static async Task<IConnectionMultiplexer> ConnectAsync(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ClientName ??= "commerce-cache";
        return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _sweepTimer.DisposeAsync().ConfigureAwait(false);
        if (_retryTimer is not null)
        {
            await _retryTimer.DisposeAsync().ConfigureAwait(false);
        }

        if (_channel is not null)
        {
            await _channel.DisposeAsync().ConfigureAwait(false);
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }

        _metrics.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
