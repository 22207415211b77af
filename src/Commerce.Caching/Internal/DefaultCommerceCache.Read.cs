using System.Buffers;
using System.Text.Json;

namespace Commerce.Caching.Internal;

/// <summary>
/// Reading: when a memory entry may be served (fresh, or, while Redis is unreachable, within the staleness bound), a
/// caller's own copy of a mutable value, and turning what Redis holds into a value and a memory entry.
/// </summary>
internal sealed partial class DefaultCommerceCache
{
    /// <summary>The memory level's answer: one lookup, no allocation for immutable types.</summary>
    private bool TryGetFresh<T>(string key, string? scope, out T value)
    {
        if (_memory.TryGet(key, out var entry) && entry.Type == typeof(T))
        {
            var now = Now;
            if (IsFresh(entry, scope, now))
            {
                if (now - entry.LastAccess > TimeSpan.TicksPerSecond)
                {
                    entry.LastAccess = now;
                }

                value = Materialize<T>(entry.Value, entry.Payload);
                return true;
            }
        }

        value = default!;
        return false;
    }

    private bool IsFresh(MemoryEntry entry, string? scope, long now)
    {
        if (now >= entry.FreshUntil || entry.Epoch != Volatile.Read(ref _epoch))
        {
            return false;
        }

        // While invalidations may be missed, an entry older than the loss is checked against Redis first.
        if (_channel is { IsHealthy: false } channel && entry.CreatedAt < channel.LostAt)
        {
            return false;
        }

        return IsCurrent(entry, scope);
    }

    /// <summary>No invalidation this instance knows of touches the entry, and it was cached under <paramref name="scope"/>.</summary>
    private bool IsCurrent(MemoryEntry entry, string? scope)
    {
        if (entry.GlobalGeneration != _generations.Global.Generation)
        {
            return false;
        }

        if (entry.ScopeState is { } scopeState)
        {
            if (scopeState.Generation != entry.ScopeGeneration || scopeState.Retired || !string.Equals(entry.Scope, scope, StringComparison.Ordinal))
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

    /// <summary>
    /// Redis can't be reached: may this memory entry still be served? Yes while it is within its duration, no known
    /// invalidation touches it, and this instance heard its channel at most <see cref="CommerceCacheOptions.DisconnectedMaxStaleness"/>
    /// ago (or the entry is newer than the loss), so it missed at most that much of other instances' invalidations.
    /// </summary>
    private bool IsServableWhileDisconnected(MemoryEntry entry, string? scope, long now)
    {
        if (now >= entry.FreshUntil || !IsCurrent(entry, scope))
        {
            return false;
        }

        if (_channel is null)
        {
            return true;
        }

        return now - _channel.LastHeardAt <= _options.DisconnectedMaxStaleness.Ticks
            || (!_channel.IsHealthy && entry.CreatedAt >= _channel.LostAt && entry.Epoch == Volatile.Read(ref _epoch));
    }

    /// <summary>The value a caller gets: the shared instance of an immutable type, or its own deserialized copy.</summary>
    private T Materialize<T>(object? value, byte[]? payload)
    {
        if (ImmutableType<T>.IsImmutable || payload is null)
        {
            return (T)value!;
        }

        return _serializers.Get<T>().Deserialize(new ReadOnlySequence<byte>(payload));
    }

    private static FlightValue ToFlightValue(MemoryEntry entry) => new(entry.Value, entry.Payload);

    /// <summary>Until when fail-safe may serve <paramref name="entry"/> to a reader with these settings: its own maximum, within what memory keeps.</summary>
    private static long StaleUntil(MemoryEntry entry, in EntrySettings settings) =>
        Math.Min(entry.RetainUntil, entry.ExpiresAt + settings.FailSafeMaxDuration.Ticks);

    /// <summary>The memory entry of <paramref name="key"/> if it holds a <typeparamref name="T"/> cached under <paramref name="scope"/>.</summary>
    private MemoryEntry? MemoryEntryOf<T>(string key, string? scope) =>
        _memory.TryGet(key, out var entry) && entry.Type == typeof(T) && string.Equals(entry.Scope, scope, StringComparison.Ordinal) ? entry : null;

    private async ValueTask<CacheValue<T>> TryGetFromRedisAsync<T>(string key, string? scope, CancellationToken cancellationToken)
    {
        using var watch = _reads.Begin(key);
        var read = await _reader!.ReadAsync(key, scope, [], cancellationToken).ConfigureAwait(false);
        var known = MemoryEntryOf<T>(key, scope);
        if (read.Status == RedisEntryStatus.Fresh)
        {
            if (AcceptFromRedis<T>(key, scope, read, known, _defaults, watch) is { } value)
            {
                _metrics.RedisHit();
                return new CacheValue<T>(Materialize<T>(value.Value, value.Payload));
            }
        }
        else if (!read.Reachable && known is not null && IsServableWhileDisconnected(known, scope, Now))
        {
            _metrics.DisconnectedServed();
            return new CacheValue<T>(Materialize<T>(known.Value, known.Payload));
        }

        return CacheValue<T>.None;
    }

    /// <summary>
    /// A fresh entry from Redis: its value (deserialized once; for a mutable type the bytes each caller copies from), kept
    /// in memory too. When memory already holds the same write, that is trusted again without deserializing. Null when
    /// the bytes can't be read.
    /// </summary>
    private FlightValue? AcceptFromRedis<T>(string key, string? scope, in RedisEntry read, MemoryEntry? known, in EntrySettings settings, in KeyReads.Handle watch)
    {
        FlightValue value;
        if (known is not null && known.Version == read.Header.Version)
        {
            value = ToFlightValue(known);
        }
        else if (TryDecode<T>(key, read, out var decoded))
        {
            value = decoded;
        }
        else
        {
            return null;
        }

        if (settings.WriteLocal && !watch.Outdates(read.Header.Version))   // not over a write made while it was read
        {
            var header = read.Header;
            var now = Now;
            var freshUntil = Math.Min(header.FreshUntil, now + settings.LocalDuration.Ticks);
            if (!IsChannelHealthy)
            {
                freshUntil = Math.Min(freshUntil, now + _options.DisconnectedLocalDuration.Ticks);
            }

            var stamp = new FlightStamp(scope is null ? null : _generations.Scope(scope), header.ScopeGeneration, header.GlobalGeneration, read.Tags, Volatile.Read(ref _epoch));
            var retain = header.FailSafe ? Math.Max(freshUntil, header.FreshUntil + settings.FailSafeMaxDuration.Ticks) : freshUntil;
            Remember<T>(key, scope, value, header.Version, stamp, now, freshUntil, retain, header.FreshUntil);
        }

        return value;
    }

    /// <summary>Deserializes what Redis holds, unless it is larger than <see cref="CommerceCacheOptions.MaximumPayloadBytes"/> or unreadable.</summary>
    private bool TryDecode<T>(string key, in RedisEntry read, out FlightValue value)
    {
        value = FlightValue.Missing;
        if (read.Payload.Length > _options.MaximumPayloadBytes)
        {
            Log.PayloadTooLarge(_logger, key, read.Payload.Length, _options.MaximumPayloadBytes);
            return false;
        }

        try
        {
            var decoded = _serializers.Get<T>().Deserialize(new ReadOnlySequence<byte>(read.Payload));
            value = ImmutableType<T>.IsImmutable ? new FlightValue(decoded, null) : new FlightValue(null, read.Payload.ToArray());
            return true;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            Log.DeserializationFailed(_logger, key, e);
            return false;
        }
    }

    /// <summary>Puts a value in the memory level, stamped, and keeps its generations known while it may be fresh.</summary>
    private MemoryEntry Remember<T>(string key, string? scope, FlightValue value, long version, in FlightStamp stamp, long createdAt, long freshUntil, long retainUntil, long expiresAt)
    {
        var now = Now;
        var entry = new MemoryEntry
        {
            Type = typeof(T),
            Value = value.Value,
            Payload = value.Payload,
            Version = version,
            Scope = scope,
            ScopeState = stamp.Scope,
            ScopeGeneration = stamp.ScopeGeneration,
            GlobalGeneration = stamp.GlobalGeneration,
            Tags = stamp.Tags,
            Epoch = stamp.Epoch,
            CreatedAt = createdAt,
            FreshUntil = freshUntil,
            RetainUntil = retainUntil,
            ExpiresAt = expiresAt,
            LastAccess = now,
        };
        stamp.Scope?.Hold(freshUntil, now);
        foreach (var tag in stamp.Tags)
        {
            tag.State.Hold(freshUntil, now);
        }

        _memory.Set(key, entry, now);
        return entry;
    }
}
