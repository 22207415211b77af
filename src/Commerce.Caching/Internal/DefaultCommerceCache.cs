using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Commerce.Caching.Internal;

/// <summary>
/// The cache: its parts, and the public entry points. How it stays correct:
/// <list type="bullet">
/// <item>Each scope and tag has a <em>generation</em> in Redis that only grows. Invalidating is one INCR (O(1)); a value
/// records the generations it was computed under, taken <em>before</em> its factory ran, and is stale as soon as one
/// has moved on (<c>.Invalidation.cs</c>).</item>
/// <item>Every write of a key carries a version; Redis keeps the newest, and a factory's value is written only if the
/// entry its reader saw is still there, so a remove or set that lands while a factory runs wins (<c>.Write.cs</c>).</item>
/// <item>The memory level trusts its entries only while the invalidation channel is healthy; during an outage it keeps
/// serving them within <see cref="CommerceCacheOptions.DisconnectedMaxStaleness"/> (<c>.Read.cs</c>).</item>
/// </list>
/// The other files: <c>.Stampede.cs</c> (one load per key), <c>.Load.cs</c> (memory, Redis, lease, factory, fail-safe),
/// <c>.Batch.cs</c> (many keys, built on the same flights and store).
/// </summary>
internal sealed partial class DefaultCommerceCache : CommerceCache, IAsyncDisposable, IDisposable
{
    private static readonly ActivitySource Activities = new(CommerceCachingDiagnostics.ActivitySourceName);

    /// <summary>How long a tombstone keeps a removed key from being filled by a factory that started before the remove.</summary>
    private static readonly TimeSpan TombstoneDuration = TimeSpan.FromMinutes(5);

    /// <summary>How much longer than an entry a generation stamped on it lives in Redis.</summary>
    private static readonly TimeSpan GenerationMargin = TimeSpan.FromHours(1);

    private readonly CommerceCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CachingMetrics _metrics;
    private readonly MemoryLevel _memory;
    private readonly KeyReads _reads = new();
    private readonly RedisLevel? _redis;
    private readonly InvalidationChannel? _channel;
    private readonly PendingQueue? _pending;
    private readonly RedisEntryReader? _reader;
    private readonly DistributedLease? _lease;
    private readonly SerializerRegistry _serializers;
    private readonly GenerationRegistry _generations = new();
    private readonly WriteVersions _versions;
    private readonly CacheWarmupProgress _warmup;
    private readonly EntrySettings _defaults;
    private readonly ConcurrentDictionary<FlightKey, Flight> _flights = new();
    private readonly ITimer _sweepTimer;
    private long _epoch;
    private int _disposed;

    public DefaultCommerceCache(
        IOptions<CommerceCacheOptions> options,
        IServiceProvider services,
        TimeProvider time,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        RedisConnectionRegistration? redis = null,
        CacheWarmupProgress? warmup = null)
    {
        _options = options.Value;
        _time = time;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Commerce.Caching");
        _defaults = EntrySettings.From(_options, (CommerceCacheEntryOptions?)null);
        _serializers = new SerializerRegistry(services, _options.JsonSerializerOptions);
        _versions = new WriteVersions(time);
        _warmup = warmup ?? new CacheWarmupProgress();

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
            _pending = new PendingQueue(redisLevel, _generations, GenerationTtl, OnQueuedWriteReplayed, RestampAsync, _options, time, _logger);
            _reader = new RedisEntryReader(redisLevel, _generations, _pending, GenerationTtl, time);
            _channel = new InvalidationChannel(redisLevel, _options, time, _logger, OnChannelMessage, OnChannelLost, OnChannelRestored);
            _lease = new DistributedLease(redisLevel, _reader, _channel.Instance, _options, time);
        }

        _sweepTimer = time.CreateTimer(static s => ((DefaultCommerceCache)s!).Sweep(), this, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    public override CommerceCacheStatus Status => new()
    {
        RedisConfigured = _redis is not null,
        RedisAvailable = _redis?.IsAvailable == true,
        InvalidationChannelHealthy = IsChannelHealthy,
        PendingInvalidations = _pending?.Count ?? 0,
        LocalEntries = _memory.Count,
        TrackedGenerations = _generations.Count,
        WarmupRunning = _warmup.Running,
        WarmedEntries = _warmup.Warmed,
        WarmupFailures = _warmup.Failed,
    };

    /// <summary>Waits for another instance's leased value in progress (for tests: the table of them stays bounded).</summary>
    internal int LeaseWaiters => _lease?.Waiting ?? 0;

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
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        ArgumentNullException.ThrowIfNull(factory);
        CheckScope(scope);
        var flags = options?.Flags ?? HybridCacheEntryFlags.None;
        if (!IsUsableKey(key))
        {
            return Bypass(flags, state, factory, cancellationToken);
        }

        if ((flags & HybridCacheEntryFlags.DisableLocalCacheRead) == 0 && TryGetFresh<T>(key, scope, out var value))
        {
            _metrics.MemoryHit();
            return new ValueTask<T>(value);
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
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        ArgumentNullException.ThrowIfNull(factory);
        var flags = options?.Flags ?? HybridCacheEntryFlags.None;
        if (!IsUsableKey(key))
        {
            return Bypass(flags, state, factory, cancellationToken);
        }

        if ((flags & HybridCacheEntryFlags.DisableLocalCacheRead) == 0 && TryGetFresh<T>(key, null, out var value))
        {
            _metrics.MemoryHit();
            return new ValueTask<T>(value);
        }

        var settings = EntrySettings.From(_options, options, Materialize(tags));
        return new ValueTask<T>(GetOrSetSlowAsync(key, state, factory, settings, null, cancellationToken));
    }

    public override ValueTask<CacheValue<T>> TryGetAsync<T>(string key, string? scope = null, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        CheckScope(scope);
        if (!IsUsableKey(key))
        {
            return new ValueTask<CacheValue<T>>(CacheValue<T>.None);
        }

        if (TryGetFresh<T>(key, scope, out var value))
        {
            _metrics.MemoryHit();
            return new ValueTask<CacheValue<T>>(new CacheValue<T>(value));
        }

        return _redis is null ? new ValueTask<CacheValue<T>>(CacheValue<T>.None) : TryGetFromRedisAsync<T>(key, scope, cancellationToken);
    }

    // ---------------------------------------------------------------- plumbing

    private bool IsUsableKey(string key)
    {
        if (KeyRules.Problem(key, _options.MaximumKeyLength) is not { } problem)
        {
            return true;
        }

        Log.KeyRejected(_logger, problem);
        _metrics.Bypassed("key");
        return false;
    }

    /// <summary>A key the cache can't use: the factory's value, cached nowhere (HybridCache's behaviour).</summary>
    private static ValueTask<T> Bypass<TState, T>(HybridCacheEntryFlags flags, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, CancellationToken cancellationToken) =>
        (flags & HybridCacheEntryFlags.DisableUnderlyingData) == 0 ? factory(state, cancellationToken) : default;

    /// <summary>How long a generation lives in Redis when a read creates it: longer than an entry of the default settings.</summary>
    private TimeSpan GenerationTtl(string? tag) =>
        tag == GenerationRegistry.GlobalTag ? TimeSpan.Zero : _options.DefaultDuration + _options.FailSafeMaxDuration + GenerationMargin;

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
            if (string.IsNullOrEmpty(tag) || tag == GenerationRegistry.GlobalTag)
            {
                throw new ArgumentException($"Tag '{tag}' is not allowed: tags must be non-empty and '{GenerationRegistry.GlobalTag}' is reserved for 'everything'.", nameof(tags));
            }

            states[i] = _generations.Tag(tag);
        }

        return states;
    }

    /// <summary>The generations a value computed from now on is stamped with.</summary>
    private FlightStamp StampNow(string? scope, GenerationState[] tagStates)
    {
        var scopeState = scope is null ? null : _generations.Scope(scope);
        var stamps = tagStates.Length == 0 ? [] : new TagStamp[tagStates.Length];
        for (var i = 0; i < tagStates.Length; i++)
        {
            stamps[i] = new TagStamp(tagStates[i], tagStates[i].Generation);
        }

        return new FlightStamp(scopeState, scopeState?.Generation ?? 0, _generations.Global.Generation, stamps, Volatile.Read(ref _epoch));
    }

    private void Sweep()
    {
        var now = Now;
        _memory.SweepExpired(now);
        _generations.Prune(now);
    }

    private static IReadOnlyList<string>? Materialize(IEnumerable<string>? tags) =>
        tags switch
        {
            null => null,
            IReadOnlyList<string> list => list,
            _ => tags.ToArray(),
        };

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
        if (_pending is not null)
        {
            await _pending.DisposeAsync().ConfigureAwait(false);
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
