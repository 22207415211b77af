using System.Threading.Channels;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// Makes confirmations durable in PostgreSQL before they are acknowledged, group-committed: confirmations that arrive
/// while a commit is under way wait for the next one, which writes them all (per sale: one statement, one commit, one
/// update of the item counters), so a busy sale costs a commit per batch rather than per confirmation. Each caller is
/// answered only after the commit that holds its row. A batch PostgreSQL refuses for its data is retried row by row,
/// so one bad confirmation fails only its own caller.
/// </summary>
internal sealed class ConfirmationWriter : IAsyncDisposable
{
    private const int MaxBatch = 500;
    private const int Flushers = 4;

    private readonly PostgresReservationStore _store;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Lazy<Task[]> _flushers;

    public ConfirmationWriter(PostgresReservationStore store)
    {
        _store = store;
        _flushers = new Lazy<Task[]>(() => Enumerable.Range(0, Flushers).Select(_ => Task.Run(FlushLoopAsync)).ToArray());
    }

    /// <summary>Writes one confirmation; completes once it is committed (or fenced off, or refused).</summary>
    public Task<FenceOutcome> WriteAsync(Guid saleId, long epoch, ReservationChange confirmation, CancellationToken cancellationToken)
    {
        _ = _flushers.Value;
        var pending = new Pending(saleId, epoch, confirmation, new TaskCompletionSource<FenceOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(pending), this);

        // The caller may stop waiting; the write goes on (a confirmation is never half-made).
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_flushers.IsValueCreated)
        {
            await Task.WhenAll(_flushers.Value).ConfigureAwait(false);
        }

    }

    private async Task FlushLoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            foreach (var group in batch.GroupBy(p => (p.SaleId, p.Epoch)))
            {
                await FlushAsync(group.Key.SaleId, group.Key.Epoch, group.ToList()).ConfigureAwait(false);
            }
        }
    }

    private async Task FlushAsync(Guid saleId, long epoch, List<Pending> group)
    {
        try
        {
            var outcome = await _store.RecordConfirmationsAsync(saleId, epoch, group.Select(p => p.Confirmation).ToList(), CancellationToken.None).ConfigureAwait(false);
            group.ForEach(p => p.Done.TrySetResult(outcome));
        }
        catch (Exception e) when (PostgresErrors.IsAboutTheData(e) && group.Count > 1)
        {
            foreach (var pending in group)
            {
                await FlushAsync(saleId, epoch, [pending]).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            group.ForEach(p => p.Done.TrySetException(e));
        }
    }

    private sealed record Pending(Guid SaleId, long Epoch, ReservationChange Confirmation, TaskCompletionSource<FenceOutcome> Done);
}
