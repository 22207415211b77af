using System.Diagnostics;
using Commerce.Shared;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Commerce.Analytics.Internal;

/// <summary>
/// Set-based writes: products and orders copied into temporary tables (before the shop is locked), the newest version
/// of each kept by the same rule as one event at a time, then the summaries updated: a bulk sync rebuilds every
/// touched day once; a batch (<see cref="UpsertOrdersAsync"/>, DefaultAnalyticsIngestion.Batch.cs) folds the orders'
/// deltas per summary row. A sync is one long transaction over a shop's history: its statements (the COPY streams, and
/// is not one) have no command timeout; the token still cancels it.
/// </summary>
internal sealed partial class DefaultAnalyticsIngestion
{
    private const int BulkChunk = 50_000;

    /// <summary>The orders a sync writes (changed, and flagged by older evidence), as an array in key order.</summary>
    private const string WrittenOrders = "array(select order_id from tmp_changed union select order_id from tmp_flagged order by 1)";

    public async Task<BulkSyncResult> BulkSyncAsync(string shopId, IEnumerable<ProductSnapshot> products, IEnumerable<OrderSnapshot> orders, CancellationToken cancellationToken = default) =>
        (await SyncAsync(shopId, products, orders, deltas: false, cancellationToken).ConfigureAwait(false)).Result;

    /// <summary>
    /// A bulk sync (<paramref name="deltas"/> false: the touched days rebuilt) or a batch (true: deltas folded). Written is
    /// the batch's versions written, which its per-order outcomes need; a sync only counts its orders and returns none.
    /// </summary>
    private async Task<(BulkSyncResult Result, HashSet<(string, DateTimeOffset, string)> Written)> SyncAsync(
        string shopId, IEnumerable<ProductSnapshot> products, IEnumerable<OrderSnapshot> orders, bool deltas, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(shopId);
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(orders);
        var started = Stopwatch.GetTimestamp();
        using var activity = Start("bulk_sync", shopId);
        await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await UnboundedAsync(connection, transaction,
            Sql("bulk_temp_tables.sql"),
            cancellationToken).ConfigureAwait(false);
        if (!deltas)
        {
            // A sync sorts and hashes its whole input: in the default 4 MB every merge step spilled to disk. JIT is
            // off as in the summary functions: compiling each statement cost more than it saved.
            await UnboundedAsync(connection, transaction, "set local work_mem = '256MB'; set local jit = off", cancellationToken).ConfigureAwait(false);
        }

        var phase = Stopwatch.GetTimestamp();
        void Phase(string name)
        {
            Log.BulkSyncPhase(logger, shopId, name, Stopwatch.GetElapsedTime(phase));
            phase = Stopwatch.GetTimestamp();
        }

        string? currency = null;
        var productRows = deltas ? 0 : await CopyProductsAsync(connection, shopId, products, cancellationToken).ConfigureAwait(false);   // a batch has no products
        var errors = new AnalyticsValidation.Errors();
        var chunk = new List<OrderSnapshot>(BulkChunk);
        var seen = new HashSet<(string, long, OrderStatus)>();
        long orderRows = 0, lineRows = 0;
        var index = 0;
        foreach (var order in orders)
        {
            AnalyticsValidation.Validate(order, $"orders[{index}].", errors);
            if (order.ShopId != shopId)
            {
                errors.Add($"orders[{index}].shopId", $"Every order of a bulk sync must belong to shop '{shopId}'.");
            }

            errors.ThrowIfAny();
            currency ??= order.Currency;
            chunk.Add(order);
            index++;
            if (chunk.Count == BulkChunk)
            {
                (var o, var l) = await CopyOrdersAsync(connection, chunk, seen, cancellationToken).ConfigureAwait(false);
                orderRows += o;
                lineRows += l;
                chunk.Clear();
            }
        }

        if (chunk.Count > 0)
        {
            (var o, var l) = await CopyOrdersAsync(connection, chunk, seen, cancellationToken).ConfigureAwait(false);
            orderRows += o;
            lineRows += l;
        }

        if (deltas)
        {
            // A batch of a few hundred orders must be joined by index on (shop, order): statistics for the temporary
            // tables, and generic plans, since a shop that became hot since the last ANALYZE looks tiny to a plan made
            // for its id, and its stored orders would be read through (shop) alone.
            await UnboundedAsync(connection, transaction, "analyze tmp_orders, tmp_lines; set local plan_cache_mode = force_generic_plan", cancellationToken).ConfigureAwait(false);
        }

        Phase("copy");
        if (deltas)
        {
            var batchWritten = await WriteBatchAsync(connection, transaction, shopId, currency, cancellationToken).ConfigureAwait(false);
            Phase("lock and write");
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            Phase("commit");
            metrics.BulkRows("orders", orderRows);
            metrics.BulkRows("lines", lineRows);
            return (new BulkSyncResult(0, batchWritten.Select(w => w.Item1).Distinct().Count(), 0, 0), batchWritten);
        }

        // Locked only now: the copies, the slow part of a big sync, don't hold up the shop's other writers.
        await UnboundedAsync(connection, transaction, "select pg_advisory_xact_lock(hashtextextended('analytics:' || @shop, 0))", cancellationToken, ("shop", shopId)).ConfigureAwait(false);
        Phase("lock");
        await using (var ensure = new NpgsqlBatch(connection, transaction) { Timeout = 0 })
        {
            AddAll(ensure, EnsureShop(shopId, currency));
            await ensure.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var writtenProducts = productRows == 0 ? 0 : await UnboundedAsync(connection, transaction,
            ProductUpsertSql(
                """
                select distinct on (product_id) @shop, product_id, name, sku, category, price, cost, currency, stock, expires_at, lead_time_days,
                       false, updated_at, updated_at, updated_at
                  from tmp_products order by product_id, updated_at desc
                """),
            cancellationToken,
            ("shop", shopId)).ConfigureAwait(false);

        if (productRows > 0)
        {
            await UnboundedAsync(connection, transaction,
                $"insert into {_s}.stock_levels (shop_id, product_id, at, stock) select @shop, product_id, updated_at, stock from tmp_products on conflict do nothing",
                cancellationToken,
                ("shop", shopId)).ConfigureAwait(false);
        }

        Phase("products");
        // The newest version of each order in the input (is_newer: updatedAt, then lifecycle rank), a newer pending
        // status change or stored status applied, kept if newer than the stored snapshot.
        await UnboundedAsync(connection, transaction,
            Sql("bulk_changed_orders.sql"),
            cancellationToken,
            ("shop", shopId)).ConfigureAwait(false);

        Phase("select changed orders");
        // Written: the changed orders, and the stored ones flagged by older evidence (each has an input version that told
        // it something new, bulk_written_versions.sql). A batch reads those versions; a sync only counts the orders.
        int writtenOrders;
        await using (var count = new NpgsqlCommand("select ((select count(*) from tmp_changed) + (select count(*) from tmp_flagged))::int", connection, transaction) { CommandTimeout = 0 })
        {
            writtenOrders = (int)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        await UnboundedAsync(connection, transaction,
            Sql("bulk_write_orders.sql"),
            cancellationToken,
            ("shop", shopId)).ConfigureAwait(false);
        Phase("write orders");
        var writtenLines = await UnboundedAsync(connection, transaction,
            Sql("bulk_write_lines.sql"),
            cancellationToken,
            ("shop", shopId)).ConfigureAwait(false);

        Phase("write lines");
        var days = new List<DateOnly>();
        // Recompute the summaries of every local day the written orders were or are in, one contiguous run at a time.
        await using (var dayQuery = new NpgsqlCommand(Sql("bulk_touched_days.sql"), connection, transaction) { CommandTimeout = 0 })
        {
            dayQuery.Parameters.AddWithValue("shop", shopId);
            await using var reader = await dayQuery.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                days.Add(reader.GetFieldValue<DateOnly>(0));
            }
        }

        if (writtenOrders >= 10_000)
        {
            // The rebuild reads what this transaction wrote: a shop's first big sync would be planned from empty
            // statistics (and join a million orders by nested loops) without them.
            await UnboundedAsync(connection, transaction, $"analyze {_s}.orders, {_s}.order_lines", cancellationToken).ConfigureAwait(false);
        }

        foreach (var (from, to) in Runs(days))
        {
            await RebuildDaysAsync(connection, transaction, shopId, from, to, cancellationToken).ConfigureAwait(false);
        }

        Phase("summaries");
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Phase("commit");
        metrics.BulkRows("products", productRows);
        metrics.BulkRows("orders", orderRows);
        metrics.BulkRows("lines", lineRows);
        var result = new BulkSyncResult(writtenProducts, writtenOrders, writtenLines, days.Count);
        Log.BulkSynced(logger, shopId, result.Products, result.Orders, result.Lines, result.Days, Stopwatch.GetElapsedTime(started));

        return (result, []);
    }

    private static async Task<long> CopyProductsAsync(NpgsqlConnection connection, string shopId, IEnumerable<ProductSnapshot> products, CancellationToken cancellationToken)
    {
        var errors = new AnalyticsValidation.Errors();
        long rows = 0;
        await using var writer = await connection.BeginBinaryImportAsync(
            "copy tmp_products (product_id, name, sku, category, price, cost, currency, stock, expires_at, lead_time_days, updated_at) from stdin (format binary)",
            cancellationToken).ConfigureAwait(false);
        foreach (var product in products)
        {
            AnalyticsValidation.Validate(product, $"products[{rows}].", errors);
            if (product.ShopId != shopId)
            {
                errors.Add($"products[{rows}].shopId", $"Every product of a bulk sync must belong to shop '{shopId}'.");
            }

            errors.ThrowIfAny();
            writer.StartRow();
            writer.Write(product.ProductId, NpgsqlDbType.Text);
            writer.Write(product.Name, NpgsqlDbType.Text);
            WriteNullable(writer, product.Sku, NpgsqlDbType.Text);
            WriteNullable(writer, product.Category, NpgsqlDbType.Text);
            writer.Write(product.Price, NpgsqlDbType.Numeric);
            writer.Write(product.Cost, NpgsqlDbType.Numeric);
            WriteNullable(writer, product.Currency, NpgsqlDbType.Text);
            writer.Write(product.Stock, NpgsqlDbType.Integer);
            WriteNullable(writer, product.ExpiresAt?.ToUniversalTime(), NpgsqlDbType.TimestampTz);
            WriteNullable(writer, product.LeadTimeDays, NpgsqlDbType.Integer);
            writer.Write(product.UpdatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
            rows++;
        }

        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return rows;
    }

    /// <summary>
    /// Copies a chunk of orders and their lines. The synchronous COPY API is used on purpose: this is a bulk path, and
    /// an async state machine per field cost more than the copy itself. An exact duplicate of a snapshot already
    /// copied (same order, same version: updatedAt and status) is skipped, so lines can be inserted without a conflict check.
    /// Each copied version is numbered (seq: its place among all versions copied so far) and its lines carry the number.
    /// </summary>
    private static async Task<(long Orders, long Lines)> CopyOrdersAsync(NpgsqlConnection connection, List<OrderSnapshot> orders, HashSet<(string, long, OrderStatus)> seen, CancellationToken cancellationToken)
    {
        var fresh = orders.Where(o => seen.Add((o.OrderId, o.UpdatedAt.UtcTicks, o.Status))).ToList();
        var first = seen.Count - fresh.Count;   // the seq of fresh[0]: seen holds every version copied, these last
        await using (var writer = await connection.BeginBinaryImportAsync(
            "copy tmp_orders (seq, order_id, platform, status, counted, currency, created_at, updated_at, discount, shipping, tax, platform_fee) from stdin (format binary)", cancellationToken).ConfigureAwait(false))
        {
            for (var k = 0; k < fresh.Count; k++)
            {
                var order = fresh[k];
                writer.StartRow();
                writer.Write(first + k, NpgsqlDbType.Integer);
                writer.Write(order.OrderId, NpgsqlDbType.Text);
                writer.Write(order.Platform, NpgsqlDbType.Text);
                writer.Write(StatusName(order.Status), NpgsqlDbType.Text);
                writer.Write(Payment.Proves(order.Status), NpgsqlDbType.Boolean);   // evidence of payment (migration 0006)
                writer.Write(order.Currency, NpgsqlDbType.Text);
                writer.Write(order.CreatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                writer.Write(order.UpdatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                writer.Write(order.Discount, NpgsqlDbType.Numeric);
                writer.Write(order.Shipping, NpgsqlDbType.Numeric);
                writer.Write(order.Tax, NpgsqlDbType.Numeric);
                writer.Write(order.PlatformFee, NpgsqlDbType.Numeric);
            }

            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        long lines = 0;
        await using (var writer = await connection.BeginBinaryImportAsync(
            "copy tmp_lines (seq, line_no, product_id, quantity, unit_price, unit_cost) from stdin (format binary)", cancellationToken).ConfigureAwait(false))
        {
            for (var k = 0; k < fresh.Count; k++)
            {
                var order = fresh[k];
                for (var i = 0; i < order.Lines.Count; i++)
                {
                    var line = order.Lines[i];
                    writer.StartRow();
                    writer.Write(first + k, NpgsqlDbType.Integer);
                    writer.Write(i, NpgsqlDbType.Integer);
                    writer.Write(line.ProductId, NpgsqlDbType.Text);
                    writer.Write(line.Quantity, NpgsqlDbType.Integer);
                    writer.Write(line.UnitPrice, NpgsqlDbType.Numeric);
                    writer.Write(line.UnitCost, NpgsqlDbType.Numeric);
                    lines++;
                }
            }

            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        return (fresh.Count, lines);
    }

    private static void WriteNullable<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            writer.WriteNull();
        }
        else
        {
            writer.Write(value, type);
        }
    }

    private static IEnumerable<(DateOnly From, DateOnly To)> Runs(List<DateOnly> days)
    {
        for (var i = 0; i < days.Count;)
        {
            var start = days[i];
            var end = start;
            while (++i < days.Count && days[i] == end.AddDays(1))
            {
                end = days[i];
            }

            yield return (start, end);
        }
    }
}
