namespace Commerce.Caching.Internal;

/// <summary>
/// Stampede protection in this process: concurrent misses of one key, with the same flags and type, share one load
/// (a <see cref="Flight"/>). A caller joins a flight only while it is current: not abandoned by all its callers, not
/// superseded by a write, remove or invalidation of its key, and started under the generations that are current
/// now. Otherwise the caller starts a new load, so no read that starts after an invalidation returned gets a value
/// loaded before it.
/// </summary>
internal sealed partial class DefaultCommerceCache
{
    private async Task<T> GetOrSetSlowAsync<TState, T>(
        string key,
        TState state,
        Func<TState, CancellationToken, ValueTask<T>> factory,
        EntrySettings settings,
        string? scope,
        CancellationToken cancellationToken)
    {
        var flightKey = new FlightKey(key, settings.Flags, typeof(T));
        var tagStates = ResolveTags(settings.Tags);
        while (true)
        {
            var flight = JoinOrStart(flightKey, scope, tagStates, group: null, out var started);
            if (started)
            {
                _ = RunFlightAsync(flight, key, state, factory, settings, scope, tagStates);
            }

            var result = await flight.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!ReferenceEquals(result, FlightValue.Missing))
            {
                return Materialize<T>(result.Value, result.Payload);
            }
        }
    }

    /// <summary>Joins the current flight of <paramref name="key"/>, or starts one (<paramref name="started"/>); the caller is registered on it either way.</summary>
    private Flight JoinOrStart(FlightKey key, string? scope, GenerationState[] tagStates, BatchGroup? group, out bool started)
    {
        while (true)
        {
            _flights.TryGetValue(key, out var existing);
            if (existing is not null && existing.Stamp.IsCurrent(_generations.Global, Volatile.Read(ref _epoch)) && existing.TryJoin())
            {
                started = false;
                return existing;
            }

            var stamp = StampNow(scope, tagStates);
            var mine = group is null ? new Flight(key, stamp) : new Flight(key, stamp, group);
            mine.TryJoin();
            if (existing is null ? _flights.TryAdd(key, mine) : _flights.TryUpdate(key, mine, existing))
            {
                started = true;
                return mine;
            }

            mine.Dispose();
        }
    }

    private async Task RunFlightAsync<TState, T>(
        Flight flight,
        string key,
        TState state,
        Func<TState, CancellationToken, ValueTask<T>> factory,
        EntrySettings settings,
        string? scope,
        GenerationState[] tagStates)
    {
        try
        {
            flight.Complete(await LoadAsync(flight, key, state, factory, settings, scope, tagStates).ConfigureAwait(false));
        }
        catch (Exception e)
        {
            flight.Fail(e);
        }
        finally
        {
            EndFlight(flight);
        }
    }

    private void EndFlight(Flight flight)
    {
        _flights.TryRemove(new KeyValuePair<FlightKey, Flight>(flight.Key, flight));
        flight.Dispose();
    }

    /// <summary>
    /// A write, remove or invalidation of <paramref name="key"/> landed: loads of it in progress must not store their
    /// value, and later readers must not join them. A load that already saw the write of <paramref name="exceptSeenVersion"/>
    /// in Redis is not affected.
    /// </summary>
    private void SupersedeFlights(string key, long exceptSeenVersion = 0)
    {
        if (_flights.IsEmpty)
        {
            return;
        }

        foreach (var (flightKey, flight) in _flights)
        {
            if (string.Equals(flightKey.Key, key, StringComparison.Ordinal) && (exceptSeenVersion == 0 || flight.ObservedVersion != exceptSeenVersion))
            {
                flight.Supersede();
                _flights.TryRemove(new KeyValuePair<FlightKey, Flight>(flightKey, flight));
            }
        }
    }
}
