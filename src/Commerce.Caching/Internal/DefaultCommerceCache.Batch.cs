namespace Commerce.Caching.Internal;

/// <summary>
/// <c>GetOrSetManyAsync</c>: memory, then one pipelined Redis round trip, then one factory call for the keys still
/// missing. Built on the single-key parts: each missing key gets a flight (joined when one is current), the batch
/// leads the others as one <see cref="BatchGroup"/> and stores each value as a single load does. The batch runs
/// detached from its caller, so its caller cancelling fails nobody who joined one of its keys, and every flight it
/// leads is ended whatever the factory or a write does.
/// </summary>
internal sealed partial class DefaultCommerceCache
{
    public override async ValueTask<IReadOnlyDictionary<string, T>> GetOrSetManyAsync<T>(
        IEnumerable<string> keys,
        Func<IReadOnlyList<string>, CancellationToken, ValueTask<IReadOnlyDictionary<string, T>>> factory,
        CommerceCacheEntryOptions? options = null,
        string? scope = null,
        CancellationToken cancellationToken = default)
    {
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(factory);
        CheckScope(scope);
        var settings = options is null ? _defaults : EntrySettings.From(_options, options);
        var result = new Dictionary<string, T>(StringComparer.Ordinal);
        var missing = new List<string>();
        var bypassed = new List<string>();
        foreach (var key in keys.Distinct(StringComparer.Ordinal))
        {
            if (!IsUsableKey(key))
            {
                bypassed.Add(key);
            }
            else if (settings.ReadLocal && TryGetFresh<T>(key, scope, out var value))
            {
                _metrics.MemoryHit();
                result[key] = value;
            }
            else
            {
                missing.Add(key);
            }
        }

        var tagStates = ResolveTags(settings.Tags);
        var batch = new BatchLoad();
        if (missing.Count > 0 && _redis is not null && settings.ReadDistributed)
        {
            missing = await ReadManyFromRedisAsync(missing, scope, tagStates, settings, result, batch, cancellationToken).ConfigureAwait(false);
        }

        if ((missing.Count == 0 && bypassed.Count == 0) || !settings.CallFactory)
        {
            return result;
        }

        // Stampede protection: lead the keys nobody is loading, join the others.
        var group = new BatchGroup(0);
        var waits = new List<(string Key, Flight Flight)>(missing.Count);
        var led = new List<(string Key, Flight Flight)>();
        foreach (var key in missing)
        {
            var flight = JoinOrStart(new FlightKey(key, settings.Flags, typeof(T)), scope, tagStates, group, out var started);
            waits.Add((key, flight));
            if (started)
            {
                group.Add();
                led.Add((key, flight));
            }
        }

        var computed = led.Count > 0 || bypassed.Count > 0
            ? RunBatchAsync(led, bypassed, group, factory, settings, scope, tagStates, batch)
            : null;
        if (computed is null)
        {
            group.Dispose();
        }

        // Wait for every flight at once, so a cancellation leaves all of them together.
        var pending = waits.Select(w => w.Flight.WaitAsync(cancellationToken)).ToArray();
        Exception? failure = null;
        for (var i = 0; i < pending.Length; i++)
        {
            try
            {
                var value = await pending[i].ConfigureAwait(false);
                if (!ReferenceEquals(value, FlightValue.Missing))
                {
                    result[waits[i].Key] = Materialize<T>(value.Value, value.Payload);
                }
            }
            catch (Exception e) when (failure is null)
            {
                failure = e;
            }
            catch (Exception)
            {
                // the first failure is the one reported
            }
        }

        if (failure is not null)
        {
            if (failure is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            throw failure;
        }

        if (bypassed.Count > 0 && computed is not null)
        {
            var values = await computed.WaitAsync(cancellationToken).ConfigureAwait(false);
            foreach (var key in bypassed)
            {
                if (values.TryGetValue(key, out var value))
                {
                    result[key] = value;
                }
            }
        }

        return result;
    }

    /// <summary>One pipelined Redis read of every missing key: fresh ones go to the result, the rest are returned.</summary>
    private async Task<List<string>> ReadManyFromRedisAsync<T>(
        List<string> missing,
        string? scope,
        GenerationState[] tagStates,
        EntrySettings settings,
        Dictionary<string, T> result,
        BatchLoad batch,
        CancellationToken cancellationToken)
    {
        var watches = new KeyReads.Handle[missing.Count];
        for (var i = 0; i < missing.Count; i++)
        {
            watches[i] = _reads.Begin(missing[i]);
        }

        try
        {
            return AcceptMany(await _reader!.ReadManyAsync(missing, scope, tagStates, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            foreach (var watch in watches)
            {
                watch.Dispose();
            }
        }

        List<string> AcceptMany(RedisEntry[] reads)
        {
            var now = Now;
            var stillMissing = new List<string>();
            for (var i = 0; i < missing.Count; i++)
            {
                var key = missing[i];
                var read = reads[i];
                var known = MemoryEntryOf<T>(key, scope);
                if (read.Status == RedisEntryStatus.Fresh && AcceptFromRedis<T>(key, scope, read, known, settings, watches[i]) is { } value)
                {
                    _metrics.RedisHit();
                    result[key] = Materialize<T>(value.Value, value.Payload);
                    continue;
                }

                if (!read.Reachable)
                {
                    if (known is not null && settings.ReadLocal && IsServableWhileDisconnected(known, scope, now))
                    {
                        _metrics.DisconnectedServed();
                        result[key] = Materialize<T>(known.Value, known.Payload);
                        continue;
                    }

                    batch.Unknown.Add(key);
                }
                else
                {
                    batch.Expected[key] = read.ObservedVersion;
                }

                if (known is not null && StaleUntil(known, settings) > now)
                {
                    batch.Stale[key] = (ToFlightValue(known), StaleUntil(known, settings), known.ExpiresAt);
                }
                else if (read.Status == RedisEntryStatus.Stale && read.Header.FailSafe
                    && read.Header.FreshUntil + settings.FailSafeMaxDuration.Ticks > now && TryDecode<T>(key, read, out var old))
                {
                    batch.Stale[key] = (old, read.Header.FreshUntil + settings.FailSafeMaxDuration.Ticks, read.Header.FreshUntil);
                }

                stillMissing.Add(key);
            }

            return stillMissing;
        }
    }

    /// <summary>
    /// The one factory call of a batch, detached from its caller: stores and completes every flight it leads, and ends
    /// all of them whatever happens. Returns the factory's values (for the keys that bypass the cache).
    /// </summary>
    private async Task<IReadOnlyDictionary<string, T>> RunBatchAsync<T>(
        List<(string Key, Flight Flight)> led,
        List<string> bypassed,
        BatchGroup group,
        Func<IReadOnlyList<string>, CancellationToken, ValueTask<IReadOnlyDictionary<string, T>>> factory,
        EntrySettings settings,
        string? scope,
        GenerationState[] tagStates,
        BatchLoad batch)
    {
        await Task.Yield(); // run apart from the caller, whose cancellation must not end it
        var cancellationToken = group.Token;
        try
        {
            var stamp = StampNow(scope, tagStates);
            var createdAt = Now;
            var degraded = !IsChannelHealthy;
            var keys = new List<string>(led.Count + bypassed.Count);
            keys.AddRange(led.Select(l => l.Key));
            keys.AddRange(bypassed);
            _metrics.Miss();
            IReadOnlyDictionary<string, T> computed;
            var started = _time.GetTimestamp();
            try
            {
                computed = await factory(keys, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (settings.FailSafe && batch.Stale.Count > 0 && !cancellationToken.IsCancellationRequested)
            {
                Log.StaleServed(_logger, keys[0], e);
                foreach (var (key, flight) in led)
                {
                    if (batch.Stale.TryGetValue(key, out var old))
                    {
                        _metrics.StaleServed();
                        ServeStaleForAWhile<T>(key, scope, old.Value, old.RetainUntil, old.ExpiresAt, tagStates);
                        flight.Complete(old.Value);
                    }
                    else
                    {
                        flight.Complete(FlightValue.Missing);
                    }
                }

                return new Dictionary<string, T>();
            }
            finally
            {
                _metrics.FactoryDuration(_time.GetElapsedTime(started));
            }

            foreach (var (key, flight) in led)
            {
                if (!computed.TryGetValue(key, out var value))
                {
                    flight.Complete(FlightValue.Missing);
                }
                else if (flight.Superseded)
                {
                    flight.Complete(new FlightValue(value, null));
                }
                else
                {
                    var expected = batch.Expected.GetValueOrDefault(key);
                    var (stored, _, _) = await StoreAsync(key, scope, value, settings, stamp, createdAt, degraded, WriteMode.Fill, expected, !batch.Unknown.Contains(key), null, cancellationToken).ConfigureAwait(false);
                    flight.Complete(stored);
                }
            }

            return computed;
        }
        catch (Exception e)
        {
            foreach (var (_, flight) in led)
            {
                flight.Fail(e);
            }

            throw;
        }
        finally
        {
            foreach (var (_, flight) in led)
            {
                flight.Fail(new InvalidOperationException("The batch load ended without a value for this key.")); // no-op once completed
                EndFlight(flight);
            }

            group.Dispose();
        }
    }

    /// <summary>What a batch learnt from Redis before its factory runs.</summary>
    private sealed class BatchLoad
    {
        /// <summary>The version each key's factory value must find in Redis (null: no entry).</summary>
        public Dictionary<string, long?> Expected { get; } = new(StringComparer.Ordinal);

        /// <summary>Keys whose Redis state is unknown (unreachable): their values are not written to Redis.</summary>
        public HashSet<string> Unknown { get; } = new(StringComparer.Ordinal);

        /// <summary>Fail-safe fallbacks by key.</summary>
        public Dictionary<string, (FlightValue Value, long RetainUntil, long ExpiresAt)> Stale { get; } = new(StringComparer.Ordinal);
    }
}
