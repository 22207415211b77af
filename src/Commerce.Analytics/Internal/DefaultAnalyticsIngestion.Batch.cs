using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Commerce.Analytics.Internal;

/// <summary>
/// A batch of one shop's orders (what the inbox hands a hot shop's handler): copied like a bulk sync, then, under the
/// shop's lock, merged by the version rule with the deltas folded per summary row and written in key order, in one
/// round trip, so the lock is held for the SQL alone and not for the client's turns on a busy machine. Each time a shop
/// doubles, the orders table is analyzed again (<see cref="ShopGrowth"/>).
/// </summary>
internal sealed partial class DefaultAnalyticsIngestion
{
    private const int BatchAttempts = 3;

    private const int SmallBatch = 8;

    private readonly ShopGrowth _growth = new();

    public async Task<IReadOnlyList<IngestOutcome>> UpsertOrdersAsync(string shopId, IReadOnlyList<OrderSnapshot> orders, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orders);
        if (orders.Count == 0)
        {
            return [];
        }

        if (orders.Count <= SmallBatch)
        {
            // A few orders (a quiet moment: the inbox hands over what just arrived) cost less one at a time than the
            // temporary tables of the set-based path, and don't queue behind the shop's exclusive lock.
            var errors = new AnalyticsValidation.Errors();
            for (var i = 0; i < orders.Count; i++)
            {
                AnalyticsValidation.Validate(orders[i], $"orders[{i}].", errors);   // all checked first: an invalid batch writes nothing
                if (orders[i].ShopId != shopId)
                {
                    errors.Add($"orders[{i}].shopId", $"Every order of the batch must belong to shop '{shopId}'.");
                }
            }

            errors.ThrowIfAny();
            return await OneAtATime.UpsertAsync(orders, UpsertOrderAsync, cancellationToken).ConfigureAwait(false);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var (result, written) = await SyncAsync(shopId, [], orders, deltas: true, cancellationToken).ConfigureAwait(false);
                if (_growth.Add(shopId, result.Orders))
                {
                    await AnalyzeOrdersAsync(shopId, cancellationToken).ConfigureAwait(false);   // after the commit: the shop's lock is not held
                }

                var outcomes = new IngestOutcome[orders.Count];
                for (var i = 0; i < orders.Count; i++)
                {
                    // The winner of its order (the first copy of it, if the batch holds duplicates) was written; the rest changed nothing.
                    var version = orders[i].UpdatedAt.UtcTicks;
                    var stored = new DateTimeOffset(version - (version % 10), TimeSpan.Zero);   // PostgreSQL keeps microseconds
                    outcomes[i] = written.Remove((orders[i].OrderId, stored, StatusName(orders[i].Status)))
                        ? IngestOutcome.Applied
                        : IngestOutcome.Ignored;
                    Record("order", outcomes[i]);
                }

                return outcomes;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected && attempt < BatchAttempts)
            {
                Log.BatchRetried(logger, shopId, attempt, e.SqlState);   // the transaction rolled back whole: run it again
            }
        }
    }

    /// <summary>
    /// Everything a batch does under the shop's lock, sent as one command: the lock, the shop made sure of, the changed
    /// and flagged orders (bulk_changed_orders.sql), their old contributions out, the new versions and lines written,
    /// their contributions in; returns the versions written (bulk_written_versions.sql).
    /// </summary>
    private async Task<HashSet<(string, DateTimeOffset, string)>> WriteBatchAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string shopId, string? currency, CancellationToken cancellationToken)
    {
        var ensure = EnsureShop(shopId, currency).ToList();
        string[] statements =
        [
            "select pg_advisory_xact_lock(hashtextextended('analytics:' || @shop, 0))",
            .. ensure.Select(c => c.CommandText),
            Sql("bulk_changed_orders.sql"),
            "analyze tmp_changed",
            $"select {_s}.apply_orders_contribution(@shop, {WrittenOrders}, -1)",   // the old versions' contributions out (counted ones only)
            Sql("bulk_write_orders.sql"),
            Sql("bulk_write_lines.sql"),
            $"select {_s}.apply_orders_contribution(@shop, {WrittenOrders}, 1)",
            Sql("bulk_written_versions.sql"),
        ];
        // No command timeout: the lock may be held by a bulk sync for minutes (the token still cancels). Each file ends
        // in a statement, never in a comment, so joining them with ';' keeps them apart.
        await using var command = new NpgsqlCommand(string.Join(";\n", statements.Select(t => t.Trim().TrimEnd(';'))), connection, transaction)
        {
            CommandTimeout = 0,
        };
        foreach (var parameter in ensure.SelectMany(c => c.Parameters).DistinctBy(p => p.ParameterName))
        {
            command.Parameters.Add(parameter.Clone());   // @shop (every statement's), and the new shop's @tz and @currency
        }

        var written = new HashSet<(string, DateTimeOffset, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        do
        {
            if (reader.FieldCount == 3 && reader.GetName(0) == "order_id")   // the last statement's rows: the versions written
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    written.Add((reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2)));
                }
            }
        }
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));

        return written;
    }

    /// <summary>
    /// Takes the statistics of the orders table again, for a shop that doubled (<see cref="ShopGrowth"/>). Best effort:
    /// the caller's writes are committed already, so a failure (or another ANALYZE or VACUUM holding the table for more
    /// than a few seconds) is logged and the next write of the shop tries again, never failing the write.
    /// </summary>
    private async Task AnalyzeOrdersAsync(string shopId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"set local lock_timeout = '5s'; analyze {_s}.orders", connection, transaction) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            Log.OrdersAnalyzed(logger, shopId, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            _growth.Retry(shopId);
            Log.OrdersAnalyzeFailed(logger, shopId, e);
        }
        catch (OperationCanceledException)
        {
            _growth.Retry(shopId);   // the writes stand; the caller is stopping
        }
    }
}
