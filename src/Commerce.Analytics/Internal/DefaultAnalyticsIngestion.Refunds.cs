using Npgsql;
using NpgsqlTypes;

namespace Commerce.Analytics.Internal;

/// <summary>
/// Partial refunds (booked as returns on their own day by <c>order_contributions</c>, migration 0006) and the evidence
/// an older event still carries: that the order was paid, or when its full refund happened. Each changes the order's
/// contribution, so it is subtracted before and added after, under the order's lock, in one transaction.
/// </summary>
internal sealed partial class DefaultAnalyticsIngestion
{
    private const int EventAttempts = 5;

    public async Task<IngestOutcome> RecordRefundAsync(OrderRefund refund, CancellationToken cancellationToken = default)
    {
        AnalyticsValidation.Validate(refund);
        using var activity = Start("refund", refund.ShopId);
        return await RetriedAsync(refund.ShopId, () => RecordRefundOnceAsync(refund, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs one event's transaction, again when PostgreSQL rolled it back for a deadlock or a serialization failure:
    /// an order's contribution is taken out and put back in two statements, each writing its rows in key order, and
    /// the rows of two orders' days (sale, refunds) can still meet in opposite orders across the two.
    /// </summary>
    private async Task<IngestOutcome> RetriedAsync(string shopId, Func<Task<IngestOutcome>> once)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await once().ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < EventAttempts)
            {
                Log.EventRetried(logger, shopId, attempt, e.SqlState);   // the transaction rolled back whole: run it again
            }
        }
    }

    private async Task<IngestOutcome> RecordRefundOnceAsync(OrderRefund refund, CancellationToken cancellationToken)
    {
        await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var stored = await LockAndReadOrderAsync(connection, transaction, refund.ShopId, refund.OrderId, null, refund.RefundedAt, OrderStatus.Refunded, cancellationToken).ConfigureAwait(false);
        var known = await ScalarAsync<bool>(connection, transaction,
            $"select exists (select 1 from {_s}.order_refunds where shop_id = @shop and order_id = @order and refund_id = @refund)",
            cancellationToken, ("shop", refund.ShopId), ("order", refund.OrderId), ("refund", refund.RefundId)).ConfigureAwait(false);
        if (known)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return Record("refund", IngestOutcome.Ignored);   // the first refund under an id is the one kept
        }

        if (stored is { Counted: true })
        {
            await ContributeAsync(connection, transaction, refund.ShopId, refund.OrderId, -1, cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction, Sql("refund_insert.sql"), cancellationToken,
            ("shop", refund.ShopId),
            ("order", refund.OrderId),
            ("refund", refund.RefundId),
            ("at", refund.RefundedAt.ToUniversalTime()),
            ("shipping", refund.Shipping),
            ("products", refund.Lines.Select(l => l.ProductId).ToArray()),
            ("quantities", refund.Lines.Select(l => l.Quantity).ToArray()),
            ("amounts", refund.Lines.Select(l => l.Amount).ToArray())).ConfigureAwait(false);
        if (stored is not null)
        {
            await ContributeAsync(connection, transaction, refund.ShopId, refund.OrderId, 1, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return Record("refund", stored is null ? IngestOutcome.Deferred : IngestOutcome.Applied);
    }

    /// <summary>
    /// Stores what an event that is not newer still proves (paid, an earlier full refund) and commits; rolls back and
    /// answers false when it proves nothing new.
    /// </summary>
    private async Task<bool> MergeEvidenceAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string shopId, string orderId, StoredOrder stored, bool paid,
        DateTimeOffset? activeAt, DateTimeOffset? refundAt, CancellationToken cancellationToken)
    {
        if (!Payment.Changes(stored, paid, activeAt, refundAt))
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        if (stored.Counted)
        {
            batch.BatchCommands.Add(Contribution(shopId, orderId, -1));
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand(Sql("order_evidence.sql"))
        {
            Parameters =
            {
                new("shop", shopId), new("order", orderId), new("counted", paid), Time("active_at", activeAt), Time("refunded_at", refundAt),
            },
        });
        batch.BatchCommands.Add(Contribution(shopId, orderId, 1));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task ContributeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string shopId, string orderId, int sign, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { Contribution(shopId, orderId, sign) } };
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
