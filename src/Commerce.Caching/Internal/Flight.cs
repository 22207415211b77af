namespace Commerce.Caching.Internal;

/// <summary>
/// One load of one key in progress in this process (stampede protection): every concurrent caller of the key awaits
/// the same result. The load runs under its own cancellation, cancelled only when every caller waiting for it has
/// given up; a flight so abandoned, or superseded by a write or an invalidation of its key, takes no new callers, so
/// a read that starts after them starts a load of its own.
/// </summary>
internal sealed class Flight : IDisposable
{
    private readonly TaskCompletionSource<FlightValue> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource? _cancellation;
    private readonly BatchGroup? _group;
    private readonly Lock _lock = new();
    private int _waiters;
    private bool _abandoned;
    private volatile bool _superseded;
    private long _observedVersion = NotObserved;

    /// <summary>A flight whose load runs under its own cancellation.</summary>
    public Flight(FlightKey key, FlightStamp stamp)
    {
        Key = key;
        Stamp = stamp;
        _cancellation = new CancellationTokenSource();
    }

    /// <summary>A flight loaded by a batch: its load is cancelled when every flight of the batch is abandoned.</summary>
    public Flight(FlightKey key, FlightStamp stamp, BatchGroup group)
    {
        Key = key;
        Stamp = stamp;
        _group = group;
    }

    /// <summary>The version of the entry in Redis when the load read it: <see cref="NotObserved"/> until then.</summary>
    public const long NotObserved = -1;

    public FlightKey Key { get; }

    /// <summary>The generations this flight started under; a later reader joins it only while they are current.</summary>
    public FlightStamp Stamp { get; }

    public CancellationToken Token => _group?.Token ?? _cancellation!.Token;

    /// <summary>A remove, set or invalidation of the key landed while the load ran: its value must not be stored.</summary>
    public bool Superseded => _superseded;

    public long ObservedVersion
    {
        get => Volatile.Read(ref _observedVersion);
        set => Volatile.Write(ref _observedVersion, value);
    }

    /// <summary>Registers one more caller, unless the flight was abandoned or superseded.</summary>
    public bool TryJoin()
    {
        lock (_lock)
        {
            if (_abandoned || _superseded)
            {
                return false;
            }

            _waiters++;
            return true;
        }
    }

    public void Supersede() => _superseded = true;

    public void Complete(FlightValue value) => _result.TrySetResult(value);

    public void Fail(Exception exception)
    {
        if (exception is OperationCanceledException canceled)
        {
            _result.TrySetCanceled(canceled.CancellationToken);
        }
        else
        {
            _result.TrySetException(exception);
        }
    }

    /// <summary>
    /// Waits for the result as one caller that joined (<see cref="TryJoin"/>). A caller's cancellation ends only its
    /// own wait, with exactly <see cref="OperationCanceledException"/>, as HybridCache does.
    /// </summary>
    public async Task<FlightValue> WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!cancellationToken.CanBeCanceled || _result.Task.IsCompleted)
            {
                return await _result.Task.ConfigureAwait(false);
            }

            var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), cancelled))
            {
                var first = await Task.WhenAny(_result.Task, cancelled.Task).ConfigureAwait(false);
                if (!ReferenceEquals(first, _result.Task))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }

            return await _result.Task.ConfigureAwait(false);
        }
        finally
        {
            Leave();
        }
    }

    public void Dispose()
    {
        // Observe a failure nobody awaited, so it does not surface as an unobserved task exception.
        if (_result.Task.IsFaulted)
        {
            _ = _result.Task.Exception;
        }

        _cancellation?.Dispose();
    }

    private void Leave()
    {
        lock (_lock)
        {
            _waiters--;
            if (_waiters > 0 || _result.Task.IsCompleted)
            {
                return;
            }

            _abandoned = true;
        }

        if (_group is not null)
        {
            _group.OnAbandoned();
            return;
        }

        try
        {
            _cancellation!.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // the load finished meanwhile
        }
    }
}
