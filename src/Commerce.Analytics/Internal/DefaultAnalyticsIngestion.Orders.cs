using System.Diagnostics;
using Commerce.Shared;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Commerce.Analytics.Internal;

/// <summary>
/// Order writes, one event at a time: the stored order is locked and read, its contribution to the summaries subtracted,
/// the new version written and its contribution added, in one transaction. Which event is newer is decided by the
/// schema's <c>is_newer</c> (migration 0002), the rule the bulk path uses too.
/// </summary>
internal sealed partial class DefaultAnalyticsIngestion
{
    public async Task<IngestOutcome> UpsertOrderAsync(OrderSnapshot order, CancellationToken cancellationToken = default)
    {
        AnalyticsValidation.Validate(order);
        using var activity = Start("order", order.ShopId);
        var outcome = await RetriedAsync(order.ShopId, () => UpsertOrderOnceAsync(order, cancellationToken)).ConfigureAwait(false);
        if (outcome == IngestOutcome.Applied && _growth.Add(order.ShopId, 1))
        {
            await AnalyzeOrdersAsync(order.ShopId, cancellationToken).ConfigureAwait(false);   // a shop that doubled (ShopGrowth)
        }

        return outcome;
    }

    private async Task<IngestOutcome> UpsertOrderOnceAsync(OrderSnapshot order, CancellationToken cancellationToken)
    {
        await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var stored = await LockAndReadOrderAsync(connection, transaction, order.ShopId, order.OrderId, order.Currency, order.UpdatedAt, order.Status, cancellationToken).ConfigureAwait(false);
        if (stored is { SnapshotNewer: false } older)
        {
            // An older version changes nothing, but may still prove the order was paid or date its refund earlier.
            var merged = await MergeEvidenceAsync(connection, transaction, order.ShopId, order.OrderId, older, Payment.Proves(order.Status),
                Payment.ActiveAt(order.Status, order.UpdatedAt), Payment.RefundAt(order.Status, order.UpdatedAt), cancellationToken).ConfigureAwait(false);
            return Record("order", merged ? IngestOutcome.Applied : IngestOutcome.Ignored);
        }

        // The snapshot is newer than the stored one; its status only if it is also newer than the stored status,
        // which a later status change may have set. A status change that arrived before the order wins if newer.
        var status = stored is { StatusNewer: false } known ? known.Status : order.Status;
        var version = stored is { StatusNewer: false } k ? k.StatusUpdatedAt : order.UpdatedAt;
        var paid = Payment.Proves(order.Status);
        DateTimeOffset? pendingActiveAt = null;
        DateTimeOffset[]? pendingRefundTimes = null;
        await using (var pending = new NpgsqlCommand(
            Sql("pending_status_take.sql"), connection, transaction))
        {
            pending.Parameters.AddWithValue("shop", order.ShopId);
            pending.Parameters.AddWithValue("order", order.OrderId);
            pending.Parameters.AddWithValue("at", version.ToUniversalTime());
            pending.Parameters.AddWithValue("status", StatusName(status));
            await using var reader = await pending.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (reader.GetBoolean(2))
                {
                    status = Enum.Parse<OrderStatus>(reader.GetString(0), ignoreCase: true);
                    version = reader.GetFieldValue<DateTimeOffset>(1);
                }

                paid |= reader.GetBoolean(3);
                pendingActiveAt = reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4);
                pendingRefundTimes = reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset[]>(5);
            }
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        if (stored is { Counted: true })
        {
            batch.BatchCommands.Add(Contribution(order.ShopId, order.OrderId, -1));
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            Sql("order_upsert.sql"))
        {
            Parameters =
            {
                new("shop", order.ShopId),
                new("order", order.OrderId),
                new("platform", order.Platform),
                new("status", StatusName(status)),
                new("counted", paid),
                new("currency", order.Currency),
                new("created", order.CreatedAt.ToUniversalTime()),
                new("updated", order.UpdatedAt.ToUniversalTime()),
                new("status_updated", version.ToUniversalTime()),
                new("snapshot_status", StatusName(order.Status)),
                new("discount", order.Discount),
                new("shipping", order.Shipping),
                new("tax", order.Tax),
                new("platform_fee", order.PlatformFee),
                Time("active_at", Payment.ActiveAt(order.Status, order.UpdatedAt)),
                Time("refunded_at", Payment.RefundAt(order.Status, order.UpdatedAt)),
                Time("pending_active_at", pendingActiveAt),
                new("pending_refund_times", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = (object?)pendingRefundTimes ?? DBNull.Value },
            },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"delete from {_s}.order_lines where shop_id = @shop and order_id = @order")
        {
            Parameters = { new("shop", order.ShopId), new("order", order.OrderId) },
        });
        if (order.Lines.Count > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                Sql("order_lines_insert.sql"))
            {
                Parameters =
                {
                    new("shop", order.ShopId),
                    new("order", order.OrderId),
                    new NpgsqlParameter<string[]>("products", order.Lines.Select(l => l.ProductId).ToArray()),
                    new NpgsqlParameter<int[]>("quantities", order.Lines.Select(l => l.Quantity).ToArray()),
                    new NpgsqlParameter<decimal[]>("prices", order.Lines.Select(l => l.UnitPrice).ToArray()),
                    new NpgsqlParameter<decimal[]>("costs", order.Lines.Select(l => l.UnitCost).ToArray()),
                },
            });
        }

        batch.BatchCommands.Add(Contribution(order.ShopId, order.OrderId, 1));   // nothing unless it was paid
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return Record("order", IngestOutcome.Applied);
    }

    public async Task<IngestOutcome> ChangeOrderStatusAsync(OrderStatusChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        AnalyticsValidation.Ids(change.ShopId, change.OrderId, "orderId");
        using var activity = Start("order_status", change.ShopId);
        return await RetriedAsync(change.ShopId, () => ChangeOrderStatusOnceAsync(change, cancellationToken)).ConfigureAwait(false);
    }

    private async Task<IngestOutcome> ChangeOrderStatusOnceAsync(OrderStatusChange change, CancellationToken cancellationToken)
    {
        var paid = Payment.Proves(change.Status);
        var activeAt = Payment.ActiveAt(change.Status, change.UpdatedAt);
        var refundAt = Payment.RefundAt(change.Status, change.UpdatedAt);
        await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var stored = await LockAndReadOrderAsync(connection, transaction, change.ShopId, change.OrderId, null, change.UpdatedAt, change.Status, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            await using var keep = new NpgsqlCommand(Sql("pending_status_upsert.sql"), connection, transaction)
            {
                Parameters =
                {
                    new("shop", change.ShopId), new("order", change.OrderId), new("status", StatusName(change.Status)), new("counted", paid),
                    new("at", change.UpdatedAt.ToUniversalTime()), Time("active_at", activeAt), Time("refunded_at", refundAt),
                },
            };
            var kept = await keep.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return Record("order_status", kept > 0 ? IngestOutcome.Deferred : IngestOutcome.Ignored);
        }

        if (!stored.Value.StatusNewer)
        {
            var merged = await MergeEvidenceAsync(connection, transaction, change.ShopId, change.OrderId, stored.Value, paid, activeAt, refundAt, cancellationToken).ConfigureAwait(false);
            return Record("order_status", merged ? IngestOutcome.Applied : IngestOutcome.Ignored);
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        if (stored.Value.Counted)
        {
            batch.BatchCommands.Add(Contribution(change.ShopId, change.OrderId, -1));
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand(Sql("order_status_update.sql"))
        {
            Parameters =
            {
                new("shop", change.ShopId), new("order", change.OrderId), new("status", StatusName(change.Status)), new("counted", paid),
                new("at", change.UpdatedAt.ToUniversalTime()), Time("active_at", activeAt), Time("refunded_at", refundAt),
            },
        });
        if (stored.Value.Counted || paid)
        {
            batch.BatchCommands.Add(Contribution(change.ShopId, change.OrderId, 1));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return Record("order_status", IngestOutcome.Applied);
    }

    public async Task RebuildAsync(string shopId, DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(shopId);
        await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "select pg_advisory_xact_lock(hashtextextended('analytics:' || @shop, 0))", cancellationToken, ("shop", shopId)).ConfigureAwait(false);
        await RebuildDaysAsync(connection, transaction, shopId, from, to, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Locks the shop (shared) and the order (exclusive), makes sure the shop exists, and reads the stored order with
    /// whether the event (<paramref name="at"/>, <paramref name="status"/>) is newer than its snapshot and its status.
    /// </summary>
    private async Task<StoredOrder?> LockAndReadOrderAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string shopId,
        string orderId,
        string? currency,
        DateTimeOffset at,
        OrderStatus status,
        CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            """
            select pg_advisory_xact_lock_shared(hashtextextended('analytics:' || @shop, 0)),
                   pg_advisory_xact_lock(hashtextextended('analytics:' || @shop || '/' || @order, 0))
            """)
        {
            Parameters = { new("shop", shopId), new("order", orderId) },
        });
        AddAll(batch, EnsureShop(shopId, currency));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            Sql("order_read.sql"))
        {
            Parameters = { new("shop", shopId), new("order", orderId), new("at", at.ToUniversalTime()), new("status", StatusName(status)) },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredOrder(reader.GetBoolean(0), Enum.Parse<OrderStatus>(reader.GetString(1), ignoreCase: true), reader.GetFieldValue<DateTimeOffset>(2), reader.GetBoolean(3), reader.GetBoolean(4),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? [] : reader.GetFieldValue<DateTimeOffset[]>(6))
            : null;
    }

    /// <summary>A timestamptz parameter, null or not (typed, so SQL can put it in an array).</summary>
    private static NpgsqlParameter Time(string name, DateTimeOffset? value) =>
        new(name, NpgsqlDbType.TimestampTz) { Value = (object?)value ?? DBNull.Value };

    /// <summary>Adds (1) or subtracts (-1) the order's contribution as it is stored now; nothing for an order never paid.</summary>
    private NpgsqlBatchCommand Contribution(string shopId, string orderId, int sign) =>
        new($"select {_s}.apply_orders_contribution(@shop, array[@order], @sign) from {_s}.orders where shop_id = @shop and order_id = @order and counted")
        {
            Parameters = { new("shop", shopId), new("order", orderId), new("sign", sign) },
        };
}

/// <summary>
/// An order as stored (<paramref name="Counted"/>: it was paid; <paramref name="ActiveAt"/> and <paramref name="RefundTimes"/>:
/// its refund evidence, <see cref="Payment"/>), and whether the event at hand is newer than its snapshot and than its
/// status (<c>is_newer</c>).
/// </summary>
internal readonly record struct StoredOrder(
    bool Counted, OrderStatus Status, DateTimeOffset StatusUpdatedAt, bool SnapshotNewer, bool StatusNewer, DateTimeOffset? ActiveAt, DateTimeOffset[] RefundTimes);
