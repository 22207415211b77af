namespace Commerce.Caching.Internal;

/// <summary>
/// One load of one key, run by its flight: memory again (another flight may have filled it), then Redis (with the
/// generations to judge the entry), then the distributed lease when asked for, then the factory, with fail-safe
/// fallbacks, and the store of what the factory returned.
/// </summary>
internal sealed partial class DefaultCommerceCache
{
    private async Task<FlightValue> LoadAsync<TState, T>(
        Flight flight,
        string key,
        TState state,
        Func<TState, CancellationToken, ValueTask<T>> factory,
        EntrySettings settings,
        string? scope,
        GenerationState[] tagStates)
    {
        var cancellationToken = flight.Token;
        var now = Now;
        var known = MemoryEntryOf<T>(key, scope);
        if (known is not null && settings.ReadLocal && IsFresh(known, scope, now))
        {
            _metrics.MemoryHit();
            return ToFlightValue(known);
        }

        using var activity = Activities.StartActivity("commerce.cache.get_or_set");
        activity?.SetTag("commerce.cache.key", key);
        activity?.SetTag("commerce.cache.scope", scope);

        // The last good value, should the factory fail (fail-safe).
        var stale = known is not null && StaleUntil(known, settings) > now ? ToFlightValue(known) : null;
        var staleRetain = stale is null ? 0 : StaleUntil(known!, settings);
        var staleExpires = stale is null ? 0 : known!.ExpiresAt;
        long? expected = null;
        var writeRedis = _redis is not null && settings.WriteDistributed;
        string? lease = null;

        using var watch = _redis is not null && settings.ReadDistributed ? _reads.Begin(key) : default;
        if (_redis is not null && settings.ReadDistributed)
        {
            var read = await _reader!.ReadAsync(key, scope, tagStates, cancellationToken).ConfigureAwait(false);
            if (read.Status == RedisEntryStatus.Fresh && AcceptFromRedis<T>(key, scope, read, known, settings, watch) is { } fromRedis)
            {
                _metrics.RedisHit();
                activity?.SetTag("commerce.cache.outcome", "redis_hit");
                return fromRedis;
            }

            if (!read.Reachable)
            {
                if (known is not null && settings.ReadLocal && IsServableWhileDisconnected(known, scope, now))
                {
                    _metrics.DisconnectedServed();
                    activity?.SetTag("commerce.cache.outcome", "memory_while_disconnected");
                    return ToFlightValue(known);
                }

                writeRedis = false; // what Redis holds is unknown: a value written blindly could replace a newer one
            }
            else
            {
                expected = read.ObservedVersion;
                flight.ObservedVersion = expected ?? 0;
                if (stale is null && read.Status == RedisEntryStatus.Stale && read.Header.FailSafe
                    && read.Header.FreshUntil + settings.FailSafeMaxDuration.Ticks > now && TryDecode<T>(key, read, out var old))
                {
                    stale = old;
                    staleRetain = read.Header.FreshUntil + settings.FailSafeMaxDuration.Ticks;
                    staleExpires = read.Header.FreshUntil;
                }

                if (settings.DistributedStampedeProtection)
                {
                    var (waited, token) = await _lease!.AcquireOrWaitAsync(key, scope, tagStates, cancellationToken).ConfigureAwait(false);
                    if (waited.Status == RedisEntryStatus.Fresh && AcceptFromRedis<T>(key, scope, waited, MemoryEntryOf<T>(key, scope), settings, watch) is { } filled)
                    {
                        _metrics.RedisHit();
                        activity?.SetTag("commerce.cache.outcome", "redis_hit_after_wait");
                        return filled;
                    }

                    lease = token;
                    if (waited.Reachable)
                    {
                        expected = waited.ObservedVersion;
                        flight.ObservedVersion = expected ?? 0;
                    }
                }
            }
        }

        if (!settings.CallFactory)
        {
            _lease?.Release(key, scope, lease);
            return new FlightValue(default(T), null);
        }

        // The generations this value will be stamped with are taken now, before the factory reads the data.
        var stamp = StampNow(scope, tagStates);
        var createdAt = Now;
        var degraded = !IsChannelHealthy;
        _metrics.Miss();
        activity?.SetTag("commerce.cache.outcome", "miss");

        T value;
        var started = _time.GetTimestamp();
        try
        {
            value = await factory(state, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (settings.FailSafe && stale is not null && !cancellationToken.IsCancellationRequested)
        {
            Log.StaleServed(_logger, key, e);
            _metrics.StaleServed();
            activity?.SetTag("commerce.cache.outcome", "stale_served");
            _lease?.Release(key, scope, lease);
            ServeStaleForAWhile<T>(key, scope, stale, staleRetain, staleExpires, tagStates);
            return stale;
        }
        catch
        {
            _lease?.Release(key, scope, lease);
            throw;
        }
        finally
        {
            _metrics.FactoryDuration(_time.GetElapsedTime(started));
        }

        if (flight.Superseded)
        {
            // A remove, set or invalidation of this key landed while the factory ran: its value is not stored.
            _lease?.Release(key, scope, lease);
            return new FlightValue(value, null);
        }

        var (stored, _, _) = await StoreAsync(key, scope, value, settings, stamp, createdAt, degraded, WriteMode.Fill, expected, writeRedis, lease, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    /// <summary>
    /// After serving a stale value, serve it for <see cref="CommerceCacheOptions.FailSafeThrottleDuration"/> before trying
    /// the factory again, but never past <paramref name="staleRetain"/> (the reader's fail-safe maximum).
    /// </summary>
    private void ServeStaleForAWhile<T>(string key, string? scope, FlightValue stale, long staleRetain, long staleExpires, GenerationState[] tagStates)
    {
        var now = Now;
        var until = Math.Min(now + _options.FailSafeThrottleDuration.Ticks, staleRetain);
        Remember<T>(key, scope, stale, _versions.Next(), StampNow(scope, tagStates), now, until, staleRetain, staleExpires);
    }
}
