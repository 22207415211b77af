using System.Buffers;
using Microsoft.Extensions.Caching.Hybrid;

namespace Commerce.Caching.Internal;

/// <summary>
/// Writing: <c>SetAsync</c>, and the store of every value (a set's or a factory's) in memory and Redis. Each write has
/// a version; Redis keeps the newest set, writes a factory's value only if the entry its reader saw is still there,
/// and tells the other instances to drop their copy. A set that can't reach Redis is queued and replayed.
/// </summary>
internal sealed partial class DefaultCommerceCache
{
    public override ValueTask SetAsync<T>(string key, T value, HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default) =>
        SetCoreAsync(key, value, EntrySettings.From(_options, options, Materialize(tags)), null, cancellationToken);

    public override ValueTask SetAsync<T>(string key, T value, CommerceCacheEntryOptions? options, string? scope = null, CancellationToken cancellationToken = default)
    {
        CheckScope(scope);
        return SetCoreAsync(key, value, options is null ? _defaults : EntrySettings.From(_options, options), scope, cancellationToken);
    }

    private async ValueTask SetCoreAsync<T>(string key, T value, EntrySettings settings, string? scope, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        if (!IsUsableKey(key))
        {
            return;
        }

        var tagStates = ResolveTags(settings.Tags);

        // Loads of this key in progress read older data: they must not overwrite this value.
        SupersedeFlights(key);
        if (_reader is not null)
        {
            // Stamp the value with what Redis has now, not with what this instance may not have heard yet.
            await _reader.RefreshAsync(scope, tagStates, cancellationToken).ConfigureAwait(false);
        }

        var stamp = StampNow(scope, tagStates);
        var (_, outcome, write) = await StoreAsync(key, scope, value, settings, stamp, Now, !IsChannelHealthy, WriteMode.Set, null, true, null, cancellationToken).ConfigureAwait(false);
        if (outcome == WriteOutcome.Failed && write is { } queued)
        {
            _pending!.QueueWrite(queued);
        }
    }

    /// <summary>
    /// Stores a value in memory and Redis. Returns what its callers get, how the Redis write ended, and the write (to
    /// queue when it failed). A value that can't be serialized, or is larger than
    /// <see cref="CommerceCacheOptions.MaximumPayloadBytes"/>, is returned and cached nowhere.
    /// </summary>
    private async Task<(FlightValue Value, WriteOutcome Outcome, RedisWrite? Write)> StoreAsync<T>(
        string key,
        string? scope,
        T value,
        EntrySettings settings,
        FlightStamp stamp,
        long createdAt,
        bool degraded,
        WriteMode mode,
        long? expected,
        bool writeRedis,
        string? lease,
        CancellationToken cancellationToken)
    {
        writeRedis &= _redis is not null && settings.WriteDistributed;
        byte[]? payload = null;
        if ((writeRedis || !ImmutableType<T>.IsImmutable) && !TrySerialize(key, value, out payload))
        {
            _lease?.Release(key, scope, lease);
            return (new FlightValue(value, null), WriteOutcome.Failed, null);
        }

        var result = ImmutableType<T>.IsImmutable ? new FlightValue(value, null) : new FlightValue(null, payload);
        var now = Now;
        var version = _versions.Next();
        var jitter = settings.JitterMaxDuration > TimeSpan.Zero
            ? TimeSpan.FromTicks(Random.Shared.NextInt64(settings.JitterMaxDuration.Ticks + 1))
            : TimeSpan.Zero;
        var duration = settings.Duration + jitter;
        var freshUntil = now + duration.Ticks;
        MemoryEntry? local = null;
        using var writing = mode == WriteMode.Set ? _reads.BeginWrite(key) : default;   // a read of the key in flight here meanwhile stores nothing

        if (settings.WriteLocal)
        {
            var localFresh = Math.Min(freshUntil, now + (settings.LocalDuration + jitter).Ticks);
            if (degraded)
            {
                localFresh = Math.Min(localFresh, now + _options.DisconnectedLocalDuration.Ticks);
            }

            local = Remember<T>(key, scope, result, version, stamp, createdAt, localFresh, settings.FailSafe ? freshUntil + settings.FailSafeMaxDuration.Ticks : localFresh, freshUntil);
        }

        if (!writeRedis)
        {
            _lease?.Release(key, scope, lease);
            return (result, WriteOutcome.Failed, null);
        }

        var tags = new KeyValuePair<string, long>[stamp.Tags.Length];
        var tagNames = new string[stamp.Tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            tags[i] = new KeyValuePair<string, long>(stamp.Tags[i].State.Name, stamp.Tags[i].Generation);
            tagNames[i] = stamp.Tags[i].State.Name;
        }

        var header = new EntryHeader(version, createdAt, freshUntil, stamp.ScopeGeneration, stamp.GlobalGeneration, settings.FailSafe, Tombstone: false, tags);
        var ttl = duration + (settings.FailSafe ? settings.FailSafeMaxDuration : TimeSpan.Zero);
        var message = mode == WriteMode.Fill
            ? (lease is null ? WriteMessage.None : CacheMessages.Filled(key))
            : CacheMessages.KeyChanged(_channel!.Instance, key);
        var write = new RedisWrite(key, scope, EntryCodec.Encode(header, payload), ttl, mode, version, expected, lease, message, ttl + GenerationMargin);
        WriteOutcome outcome;
        long written;
        try
        {
            (outcome, written) = await _redis!.WriteAsync(write, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (mode == WriteMode.Set)
        {
            _pending!.QueueWrite(write); // applied here; Redis gets it when it answers
            throw;
        }

        if (outcome == WriteOutcome.Written)
        {
            if (local is not null)
            {
                local.Version = written; // so this entry is recognised when read back from Redis
            }

            if (tagNames.Length > 0)
            {
                _redis.TouchGenerations(tagNames, write.GenerationTtl);
            }
        }
        else if (outcome == WriteOutcome.Superseded && local is not null)
        {
            // A newer write (or a remove this value's reader did not see) won in Redis: this value is not current.
            _memory.Remove(key, local);
        }

        return (result, outcome, write);
    }

    private bool TrySerialize<T>(string key, T value, out byte[]? payload)
    {
        payload = null;
        try
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            _serializers.Get<T>().Serialize(value, buffer);
            if (buffer.WrittenCount > _options.MaximumPayloadBytes)
            {
                Log.PayloadTooLarge(_logger, key, buffer.WrittenCount, _options.MaximumPayloadBytes);
                _metrics.Bypassed("payload");
                return false;
            }

            payload = buffer.WrittenSpan.ToArray();
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.SerializationFailed(_logger, key, e);
            _metrics.Bypassed("serialization");
            return false;
        }
    }

    /// <summary>
    /// A set queued while Redis was down, about to be replayed: stamped again with the generations current in Redis now
    /// (this instance may not have known them when the set was made). Null when Redis can't be asked yet.
    /// </summary>
    private async Task<RedisWrite?> RestampAsync(RedisWrite write)
    {
        if (!EntryCodec.TryDecode(write.Bytes, out var header, out var payload))
        {
            return write;
        }

        var tagStates = header.Tags.Select(t => _generations.Tag(t.Key)).ToArray();
        if (!await _reader!.RefreshAsync(write.Scope, tagStates, CancellationToken.None).ConfigureAwait(false))
        {
            return null;
        }

        var tags = tagStates.Select(t => new KeyValuePair<string, long>(t.Name, t.Generation)).ToArray();
        var scopeGeneration = write.Scope is null ? 0 : _generations.Scope(write.Scope).Generation;
        var restamped = header with { ScopeGeneration = scopeGeneration, GlobalGeneration = _generations.Global.Generation, Tags = tags };
        return write with { Bytes = EntryCodec.Encode(restamped, payload.Span) };
    }

    /// <summary>
    /// A set queued while Redis was down reached it (this instance's copy takes the version Redis gave it), or lost to
    /// a newer write made elsewhere (<paramref name="written"/> 0: this instance's copy is dropped).
    /// </summary>
    private void OnQueuedWriteReplayed(string key, long queued, long written)
    {
        if (_memory.TryGet(key, out var entry) && entry.Version == queued)
        {
            if (written == 0)
            {
                _memory.Remove(key, entry);
            }
            else
            {
                entry.Version = written;
            }
        }
    }
}
