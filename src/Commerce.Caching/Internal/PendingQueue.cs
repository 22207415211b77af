using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Commerce.Caching.Internal;

/// <summary>
/// Invalidations, sets and removes that could not reach Redis (down, slow, or the caller cancelled), already applied
/// on this instance, and replayed every <see cref="CommerceCacheOptions.InvalidationRetryInterval"/> until Redis
/// has them. One item per scope, tag or key: a later set or remove of a key replaces an earlier one. Writes replay
/// with their version, so one queued here never replaces a newer write made meanwhile on another instance; a set is
/// stamped again with the generations current when it reaches Redis, as if it were made then. They are lost only if
/// the process stops before Redis answers again.
/// </summary>
internal sealed class PendingQueue : IAsyncDisposable
{
    private readonly ConcurrentDictionary<PendingInvalidation, PendingItem> _items = new();
    private readonly RedisLevel _redis;
    private readonly GenerationRegistry _generations;
    private readonly Func<string?, TimeSpan> _generationTtl;
    private readonly Action<string, long, long> _onWriteReplayed;
    private readonly Func<RedisWrite, Task<RedisWrite?>> _restamp;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private int _replaying;

    public PendingQueue(
        RedisLevel redis,
        GenerationRegistry generations,
        Func<string?, TimeSpan> generationTtl,
        Action<string, long, long> onWriteReplayed,
        Func<RedisWrite, Task<RedisWrite?>> restamp,
        CommerceCacheOptions options,
        TimeProvider time,
        ILogger logger)
    {
        _redis = redis;
        _generations = generations;
        _generationTtl = generationTtl;
        _onWriteReplayed = onWriteReplayed;
        _restamp = restamp;
        _logger = logger;
        _timer = time.CreateTimer(static s => ((PendingQueue)s!).Replay(), this, options.InvalidationRetryInterval, options.InvalidationRetryInterval);
    }

    /// <summary>The kind of a queued remove whose scope is read from Redis when it is replayed.</summary>
    private const char KeyOfUnknownScope = '?';

    public int Count => _items.Count;

    public bool IsEmpty => _items.IsEmpty;

    public void QueueInvalidation(char kind, string name)
    {
        _items[new PendingInvalidation(kind, name, null)] = PendingItem.Invalidation;
        Log.InvalidationQueued(_logger, kind == CacheMessages.Scope ? "scope" : "tag", name);
    }

    public void QueueWrite(in RedisWrite write)
    {
        var item = new PendingItem(write with { Replay = true });
        _items.AddOrUpdate(
            new PendingInvalidation(CacheMessages.Key, write.Key, write.Scope),
            static (_, added) => added,
            static (_, existing, added) => existing.Write is { } old && old.Version > added.Write!.Value.Version ? existing : added,
            item);
        Log.InvalidationQueued(_logger, write.Mode == WriteMode.Remove ? "remove of key" : "set of key", write.Key);
    }

    /// <summary>
    /// A remove of a key whose scope Redis could not tell (HybridCache's remove names none, and this instance never held
    /// the key): when it is replayed the key's scope pointer is read, and the tombstone written under that scope.
    /// </summary>
    public void QueueRemoveOfUnknownScope(in RedisWrite write)
    {
        _items[new PendingInvalidation(KeyOfUnknownScope, write.Key, null)] = new PendingItem(write with { Replay = true });
        Log.InvalidationQueued(_logger, "remove of key", write.Key);
    }

    /// <summary>The version of a set or remove of <paramref name="key"/> still waiting for Redis, if any.</summary>
    public bool TryGetPendingWrite(string key, string? scope, out long version)
    {
        if (!_items.IsEmpty
            && (_items.TryGetValue(new PendingInvalidation(CacheMessages.Key, key, scope), out var item)
                || (scope is not null && _items.TryGetValue(new PendingInvalidation(KeyOfUnknownScope, key, null), out item)))
            && item.Write is { } write)
        {
            version = write.Version;
            return true;
        }

        version = 0;
        return false;
    }

    /// <summary>Starts a replay in the background unless one is running or nothing is queued.</summary>
    public void Replay()
    {
        if (_items.IsEmpty || Interlocked.CompareExchange(ref _replaying, 1, 0) != 0)
        {
            return;
        }

        _ = ReplayAsync();
    }

    public ValueTask DisposeAsync() => _timer.DisposeAsync();

    private async Task ReplayAsync()
    {
        var sent = 0;
        try
        {
            foreach (var (what, item) in _items)
            {
                bool reached;
                if (item.Write is { } remove && what.Kind == KeyOfUnknownScope)
                {
                    // the scope it was written under, if it still has one; then the tombstone there
                    var (ok, scope) = await _redis.ReadScopeOfAsync(remove.Key, CancellationToken.None).ConfigureAwait(false);
                    reached = ok && (scope is null || (await _redis.WriteAsync(remove with { Scope = scope }, CancellationToken.None).ConfigureAwait(false)).Outcome != WriteOutcome.Failed);
                }
                else if (item.Write is { } queued)
                {
                    var write = queued.Mode == WriteMode.Set ? await _restamp(queued).ConfigureAwait(false) : queued;
                    if (write is null)
                    {
                        break; // Redis can't be asked yet
                    }

                    var (outcome, written) = await _redis.WriteAsync(write.Value, CancellationToken.None).ConfigureAwait(false);
                    reached = outcome != WriteOutcome.Failed;
                    if (reached)
                    {
                        _onWriteReplayed(queued.Key, queued.Version, written);
                    }
                }
                else
                {
                    var state = what.Kind == CacheMessages.Scope ? _generations.Scope(what.Name) : _generations.Tag(what.Name);
                    var key = what.Kind == CacheMessages.Scope ? _redis.Keys.ScopeGeneration(what.Name) : _redis.Keys.TagGeneration(what.Name);
                    var generation = await _redis.InvalidateAsync(key, what.Kind, what.Name, state.Generation, _generationTtl(what.Kind == CacheMessages.Tag ? what.Name : null), CancellationToken.None).ConfigureAwait(false);
                    if (generation is { } g)
                    {
                        state.Advance(g);
                    }

                    reached = generation is not null;
                }

                if (!reached)
                {
                    break;
                }

                _items.TryRemove(new KeyValuePair<PendingInvalidation, PendingItem>(what, item));
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

    /// <summary>A queued item: an invalidation (no payload) or a versioned write.</summary>
    private sealed class PendingItem(RedisWrite? write)
    {
        public static readonly PendingItem Invalidation = new(null);

        public RedisWrite? Write { get; } = write;
    }
}
