using System.Diagnostics.Metrics;

namespace Commerce.Caching.Internal;

/// <summary>The instruments of the <c>Commerce.Caching</c> meter.</summary>
internal sealed class CachingMetrics : IDisposable
{
    private static readonly KeyValuePair<string, object?> LevelMemory = new("level", "memory");
    private static readonly KeyValuePair<string, object?> LevelRedis = new("level", "redis");

    private readonly Meter _meter;
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _staleServed;
    private readonly Histogram<double> _factoryDuration;
    private readonly Counter<long> _invalidations;
    private readonly Counter<long> _redisErrors;
    private readonly Counter<long> _evictions;
    private readonly Counter<long> _disconnectedServed;
    private readonly Counter<long> _bypassed;
    private readonly bool _ownsMeter;

    public CachingMetrics(IMeterFactory? meterFactory, Func<int> localEntries, Func<int> breakerOpen)
    {
        if (meterFactory is null)
        {
            _meter = new Meter(CommerceCachingDiagnostics.MeterName);
            _ownsMeter = true;
        }
        else
        {
            _meter = meterFactory.Create(CommerceCachingDiagnostics.MeterName);
        }

        _hits = _meter.CreateCounter<long>("commerce.caching.hits", "{hit}", "Reads answered from the cache, by level (memory, redis).");
        _misses = _meter.CreateCounter<long>("commerce.caching.misses", "{miss}", "Reads that had to run the factory.");
        _staleServed = _meter.CreateCounter<long>("commerce.caching.stale_served", "{value}", "Expired values served because the factory failed (fail-safe).");
        _factoryDuration = _meter.CreateHistogram<double>("commerce.caching.factory.duration", "s", "Duration of factory calls.");
        _invalidations = _meter.CreateCounter<long>("commerce.caching.invalidations", "{invalidation}", "Invalidations, by kind (scope, tag, key, all) and origin (local, remote).");
        _redisErrors = _meter.CreateCounter<long>("commerce.caching.redis.errors", "{error}", "Redis operations that failed or timed out.");
        _evictions = _meter.CreateCounter<long>("commerce.caching.memory.evictions", "{entry}", "Entries evicted from the memory level to respect MaxLocalEntries.");
        _disconnectedServed = _meter.CreateCounter<long>("commerce.caching.disconnected_served", "{value}", "Memory entries served while Redis could not be reached, within DisconnectedMaxStaleness.");
        _bypassed = _meter.CreateCounter<long>("commerce.caching.bypassed", "{call}", "Calls that bypassed the cache, by reason (key, payload, serialization).");
        _meter.CreateObservableGauge("commerce.caching.memory.entries", localEntries, "{entry}", "Entries in the memory level.");
        _meter.CreateObservableGauge("commerce.caching.circuit_breaker.open", breakerOpen, "{state}", "1 while the Redis circuit breaker is open.");
    }

    public void MemoryHit() => _hits.Add(1, LevelMemory);

    public void RedisHit() => _hits.Add(1, LevelRedis);

    public void Miss() => _misses.Add(1);

    public void StaleServed() => _staleServed.Add(1);

    public void FactoryDuration(TimeSpan duration) => _factoryDuration.Record(duration.TotalSeconds);

    public void Invalidation(string kind, bool remote) =>
        _invalidations.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("origin", remote ? "remote" : "local"));

    public void RedisError(string operation) => _redisErrors.Add(1, new KeyValuePair<string, object?>("operation", operation));

    public void Evicted(int count) => _evictions.Add(count);

    public void DisconnectedServed() => _disconnectedServed.Add(1);

    public void Bypassed(string reason) => _bypassed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
