namespace Commerce.Caching.Internal;

/// <summary>
/// The flights one <c>GetOrSetManyAsync</c> leads with a single factory call: the call is cancelled only when every
/// one of them has been abandoned, so a caller that joined one of its keys is not failed by the batch's own caller
/// cancelling. The batch's caller is itself registered on each flight until it stops waiting.
/// </summary>
internal sealed class BatchGroup(int flights) : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private int _live = flights;

    public CancellationToken Token => _cancellation.Token;

    /// <summary>One more flight led by the batch (before anyone can leave it).</summary>
    public void Add() => Interlocked.Increment(ref _live);

    public void OnAbandoned()
    {
        if (Interlocked.Decrement(ref _live) == 0)
        {
            try
            {
                _cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // the batch finished meanwhile
            }
        }
    }

    public void Dispose() => _cancellation.Dispose();
}
