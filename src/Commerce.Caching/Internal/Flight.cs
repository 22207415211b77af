namespace Commerce.Caching.Internal;

/// <summary>
/// One load of one key in progress in this process (stampede protection): every concurrent caller of the key
/// awaits the same result. The load runs under its own cancellation, cancelled only when every caller waiting
/// for it has given up.
/// </summary>
internal sealed class Flight : IDisposable
{
    /// <summary>Result of a batch load that did not produce this key; single-key callers then load it themselves.</summary>
    public static readonly object Missing = new();

    private readonly TaskCompletionSource<object?> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _cancellation = new();
    private int _waiters;

    public CancellationToken Token => _cancellation.Token;

    public Task<object?> Result => _result.Task;

    public void Complete(object? value) => _result.TrySetResult(value);

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

    public async Task<object?> JoinAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiters);
        try
        {
            return await _result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (Interlocked.Decrement(ref _waiters) == 0 && !_result.Task.IsCompleted)
            {
                try
                {
                    _cancellation.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // the load finished meanwhile
                }
            }
        }
    }

    public void Dispose()
    {
        // Observe a failure nobody awaited, so it does not surface as an unobserved task exception.
        if (_result.Task.IsFaulted)
        {
            _ = _result.Task.Exception;
        }

        _cancellation.Dispose();
    }
}
