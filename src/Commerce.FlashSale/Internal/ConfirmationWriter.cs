using Commerce.Shared;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// Makes confirmations durable in PostgreSQL before they are acknowledged, group-committed: confirmations that arrive
/// while a commit is under way wait for the next one, which writes them all (per sale: one statement, one commit, one
/// update of the item counters), so a busy sale costs a commit per batch rather than per confirmation. Each caller is
/// answered only after the commit that holds its row; a batch PostgreSQL refuses for its data is retried row by row.
/// </summary>
internal sealed class ConfirmationWriter : IAsyncDisposable
{
    private const int MaxBatch = 500;
    private const int Flushers = 4;

    private readonly GroupCommitter<Pending, (Guid SaleId, int Bucket, long Epoch), FenceOutcome> _committer;

    public ConfirmationWriter(PostgresReservationStore store)
    {
        _committer = new GroupCommitter<Pending, (Guid SaleId, int Bucket, long Epoch), FenceOutcome>(
            async (key, group) =>
            {
                var outcome = await store.RecordConfirmationsAsync(key.SaleId, key.Bucket, key.Epoch, group.Select(p => p.Confirmation).ToList(), CancellationToken.None).ConfigureAwait(false);
                return Enumerable.Repeat(outcome, group.Count).ToArray();
            },
            static p => (p.SaleId, p.Bucket, p.Epoch),
            PostgresErrors.IsAboutTheData,
            MaxBatch,
            Flushers);
    }

    /// <summary>Writes one confirmation; completes once it is committed (or fenced off, or refused).</summary>
    public Task<FenceOutcome> WriteAsync(Guid saleId, int bucket, long epoch, ReservationChange confirmation, CancellationToken cancellationToken) =>
        _committer.WriteAsync(new Pending(saleId, bucket, epoch, confirmation), cancellationToken); // the caller may stop waiting; the write goes on

    public ValueTask DisposeAsync() => _committer.DisposeAsync();

    private sealed record Pending(Guid SaleId, int Bucket, long Epoch, ReservationChange Confirmation);
}
