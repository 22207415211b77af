using System.Diagnostics;
using Commerce.Shared;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Commerce.Analytics.Internal;

/// <summary>
/// Ingestion. Order writes take a shared lock on the shop and an exclusive lock on the order (transaction-scoped
/// advisory locks), so events of one order apply one at a time and a bulk sync (exclusive on the shop) never interleaves
/// with them. An order's contribution to the summaries is subtracted as stored and added as written, in the same
/// transaction, by <c>apply_order_contribution</c>.
/// </summary>
internal sealed class DefaultAnalyticsIngestion(
    AnalyticsConnections connections,
    IOptions<AnalyticsOptions> options,
    AnalyticsMetrics metrics,
    ILogger<DefaultAnalyticsIngestion> logger) : IAnalyticsIngestion
{
    internal static readonly ActivitySource Activities = new(CommerceAnalyticsDiagnostics.ActivitySourceName);
    private const int BulkChunk = 50_000;

    private readonly string _s = connections.Schema;
    private readonly AnalyticsOptions _options = options.Value;

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        var applied = await PostgresMigrator.ApplyAsync(connections.DataSource, _options.Schema, typeof(DefaultAnalyticsIngestion).Assembly, cancellationToken).ConfigureAwait(false);
        if (applied.Count > 0)
        {
            Log.MigrationsApplied(logger, string.Join(",", applied), _options.Schema);
        }
    }

    public async Task SetShopAsync(string shopId, string timeZone, string? currency = null, CancellationToken cancellationToken = default)
    {
        AnalyticsValidation.Ids(shopId, timeZone, "timeZone");
        timeZone = AnalyticsValidation.RequireIanaName(timeZone);   // PostgreSQL knows IANA names only
        if (currency is not null && !AnalyticsValidation.IsCurrency(currency))
        {
            throw new AnalyticsValidationException(new Dictionary<string, string[]> { ["currency"] = ["Currency must be a three-letter ISO 4217 code."] });
        }

        await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "select pg_advisory_xact_lock(hashtextextended('analytics:' || @shop, 0))", cancellationToken, ("shop", shopId)).ConfigureAwait(false);
        try
        {
            // .NET and PostgreSQL carry their own time zone databases: refuse a name this server lacks, so the shop is
            // never left with a time zone every later event would fail on.
            await using var check = new NpgsqlCommand("select now() at time zone @tz", connection, transaction);
            check.Parameters.AddWithValue("tz", timeZone);
            await check.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidParameterValue)
        {
            throw new AnalyticsValidationException(new Dictionary<string, string[]> { ["timeZone"] = [$"PostgreSQL does not know the time zone '{timeZone}'."] });
        }

        var previous = await ScalarAsync<string?>(connection, transaction, $"select time_zone from {_s}.shops where shop_id = @shop", cancellationToken, ("shop", shopId)).ConfigureAwait(false);
        await ExecuteAsync(
            connection,
            transaction,
            $"""
            insert into {_s}.shops (shop_id, time_zone, currency) values (@shop, @tz, @currency)
            on conflict (shop_id) do update set time_zone = excluded.time_zone, currency = coalesce(excluded.currency, {_s}.shops.currency)
            """,
            cancellationToken,
            ("shop", shopId),
            ("tz", timeZone),
            ("currency", (object?)currency ?? DBNull.Value)).ConfigureAwait(false);
        if (previous is not null && previous != timeZone)
        {
            // Days are local: every summary of the shop is recomputed under the new time zone.
            await ExecuteAsync(connection, transaction,
                $"""
                delete from {_s}.daily_sales where shop_id = @shop;
                delete from {_s}.daily_product_sales where shop_id = @shop;
                delete from {_s}.monthly_product_sales where shop_id = @shop;
                select {_s}.rebuild_summaries(@shop, min((created_at at time zone @tz)::date), max((created_at at time zone @tz)::date))
                  from {_s}.orders where shop_id = @shop having count(*) > 0;
                """,
                cancellationToken,
                ("shop", shopId),
                ("tz", timeZone)).ConfigureAwait(false);
            Log.TimeZoneChanged(logger, shopId, timeZone);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IngestOutcome> UpsertProductAsync(ProductSnapshot product, CancellationToken cancellationToken = default)
    {
        AnalyticsValidation.Validate(product);
        using var activity = Start("product", product.ShopId);
        await using var batch = connections.DataSource.CreateBatch();
        AddAll(batch, EnsureShop(product.ShopId, product.Currency));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(ProductUpsertSql("values (@shop, @product, @name, @sku, @category, @price, @cost, @currency, @stock, @expires, @lead, false, @at, @at, @at)"))
        {
            Parameters =
            {
                new("shop", product.ShopId),
                new("product", product.ProductId),
                new("name", product.Name),
                new("sku", NpgsqlDbType.Text) { Value = (object?)product.Sku ?? DBNull.Value },
                new("category", NpgsqlDbType.Text) { Value = (object?)product.Category ?? DBNull.Value },
                new("price", product.Price),
                new("cost", product.Cost),
                new("currency", NpgsqlDbType.Text) { Value = (object?)product.Currency ?? DBNull.Value },
                new("stock", product.Stock),
                new("expires", NpgsqlDbType.TimestampTz) { Value = (object?)product.ExpiresAt?.ToUniversalTime() ?? DBNull.Value },
                new("lead", NpgsqlDbType.Integer) { Value = (object?)product.LeadTimeDays ?? DBNull.Value },
                new("at", product.UpdatedAt.ToUniversalTime()),
            },
        });
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return Record("product", batch.BatchCommands[^1].RecordsAffected > 0 ? IngestOutcome.Applied : IngestOutcome.Ignored);
    }

    public async Task<IngestOutcome> DeleteProductAsync(string shopId, string productId, DateTimeOffset updatedAt, CancellationToken cancellationToken = default)
    {
        AnalyticsValidation.Ids(shopId, productId, "productId");
        using var activity = Start("product_deleted", shopId);
        await using var batch = connections.DataSource.CreateBatch();
        AddAll(batch, EnsureShop(shopId, null));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"""
            insert into {_s}.products as p (shop_id, product_id, deleted, first_seen_at, updated_at, stock_updated_at)
            values (@shop, @product, true, @at, @at, '-infinity')
            on conflict (shop_id, product_id) do update set deleted = true, updated_at = excluded.updated_at
            where p.updated_at < excluded.updated_at
            """)
        {
            Parameters = { new("shop", shopId), new("product", productId), new("at", updatedAt.ToUniversalTime()) },
        });
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return Record("product_deleted", batch.BatchCommands[^1].RecordsAffected > 0 ? IngestOutcome.Applied : IngestOutcome.Ignored);
    }

    public async Task<IngestOutcome> UpdateInventoryAsync(InventoryUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        AnalyticsValidation.Ids(update.ShopId, update.ProductId, "productId");
        if (update.Stock < 0)
        {
            throw new AnalyticsValidationException(new Dictionary<string, string[]> { ["stock"] = ["Stock can't be negative."] });
        }

        using var activity = Start("inventory", update.ShopId);
        await using var batch = connections.DataSource.CreateBatch();
        AddAll(batch, EnsureShop(update.ShopId, null));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"""
            insert into {_s}.products as p (shop_id, product_id, stock, first_seen_at, updated_at, stock_updated_at)
            values (@shop, @product, @stock, @at, '-infinity', @at)
            on conflict (shop_id, product_id) do update set stock = excluded.stock, stock_updated_at = excluded.stock_updated_at
            where p.stock_updated_at < excluded.stock_updated_at
            """)
        {
            Parameters = { new("shop", update.ShopId), new("product", update.ProductId), new("stock", update.Stock), new("at", update.UpdatedAt.ToUniversalTime()) },
        });
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return Record("inventory", batch.BatchCommands[^1].RecordsAffected > 0 ? IngestOutcome.Applied : IngestOutcome.Ignored);
    }

    public async Task<IngestOutcome> UpsertOrderAsync(OrderSnapshot order, CancellationToken cancellationToken = default)
    {
        AnalyticsValidation.Validate(order);
        using var activity = Start("order", order.ShopId);
        await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var stored = await LockAndReadOrderAsync(connection, transaction, order.ShopId, order.OrderId, order.Currency, cancellationToken).ConfigureAwait(false);
        if (stored is { } s && order.UpdatedAt <= s.UpdatedAt)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return Record("order", IngestOutcome.Ignored);
        }

        // The snapshot is newer than the stored one; its status only if it is also newer than the stored status,
        // which a later status change may have set. A status change that arrived before the order wins if newer.
        var status = stored is { } known && known.StatusUpdatedAt >= order.UpdatedAt ? known.Status : order.Status;
        var version = stored is { } k && k.StatusUpdatedAt >= order.UpdatedAt ? k.StatusUpdatedAt : order.UpdatedAt;
        await using (var pending = new NpgsqlCommand(
            $"delete from {_s}.pending_status_changes where shop_id = @shop and order_id = @order returning status, updated_at", connection, transaction))
        {
            pending.Parameters.AddWithValue("shop", order.ShopId);
            pending.Parameters.AddWithValue("order", order.OrderId);
            await using var reader = await pending.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.GetFieldValue<DateTimeOffset>(1) > order.UpdatedAt)
            {
                status = Enum.Parse<OrderStatus>(reader.GetString(0), ignoreCase: true);
                version = reader.GetFieldValue<DateTimeOffset>(1);
            }
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        if (stored is { Counted: true })
        {
            batch.BatchCommands.Add(Contribution(order.ShopId, order.OrderId, -1));
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"""
            insert into {_s}.orders (shop_id, order_id, platform, status, counted, currency, created_at, updated_at, status_updated_at)
            values (@shop, @order, @platform, @status, @counted, @currency, @created, @updated, @status_updated)
            on conflict (shop_id, order_id) do update
               set platform = excluded.platform, status = excluded.status, counted = excluded.counted,
                   currency = excluded.currency, created_at = excluded.created_at, updated_at = excluded.updated_at,
                   status_updated_at = excluded.status_updated_at
            """)
        {
            Parameters =
            {
                new("shop", order.ShopId),
                new("order", order.OrderId),
                new("platform", order.Platform),
                new("status", StatusName(status)),
                new("counted", SalesStatuses.Counts(status)),
                new("currency", order.Currency),
                new("created", order.CreatedAt.ToUniversalTime()),
                new("updated", order.UpdatedAt.ToUniversalTime()),
                new("status_updated", version.ToUniversalTime()),
            },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"delete from {_s}.order_lines where shop_id = @shop and order_id = @order")
        {
            Parameters = { new("shop", order.ShopId), new("order", order.OrderId) },
        });
        if (order.Lines.Count > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"""
                insert into {_s}.order_lines (shop_id, order_id, line_no, product_id, quantity, unit_price, unit_cost)
                select @shop, @order, l.ordinality - 1, l.product_id, l.quantity, l.unit_price, l.unit_cost
                  from unnest(@products, @quantities, @prices, @costs) with ordinality as l(product_id, quantity, unit_price, unit_cost, ordinality)
                """)
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

        if (SalesStatuses.Counts(status))
        {
            batch.BatchCommands.Add(Contribution(order.ShopId, order.OrderId, 1));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return Record("order", IngestOutcome.Applied);
    }

    public async Task<IngestOutcome> ChangeOrderStatusAsync(OrderStatusChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        AnalyticsValidation.Ids(change.ShopId, change.OrderId, "orderId");
        using var activity = Start("order_status", change.ShopId);
        var counted = SalesStatuses.Counts(change.Status);
        await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var stored = await LockAndReadOrderAsync(connection, transaction, change.ShopId, change.OrderId, null, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            var kept = await ExecuteAsync(
                connection,
                transaction,
                $"""
                insert into {_s}.pending_status_changes as p (shop_id, order_id, status, counted, updated_at)
                values (@shop, @order, @status, @counted, @at)
                on conflict (shop_id, order_id) do update set status = excluded.status, counted = excluded.counted, updated_at = excluded.updated_at
                where p.updated_at < excluded.updated_at
                """,
                cancellationToken,
                ("shop", change.ShopId),
                ("order", change.OrderId),
                ("status", StatusName(change.Status)),
                ("counted", counted),
                ("at", change.UpdatedAt.ToUniversalTime())).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return Record("order_status", kept > 0 ? IngestOutcome.Deferred : IngestOutcome.Ignored);
        }

        if (change.UpdatedAt <= stored.Value.StatusUpdatedAt)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return Record("order_status", IngestOutcome.Ignored);
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        if (stored.Value.Counted && !counted)
        {
            batch.BatchCommands.Add(Contribution(change.ShopId, change.OrderId, -1));
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand($"update {_s}.orders set status = @status, counted = @counted, status_updated_at = @at where shop_id = @shop and order_id = @order")
        {
            Parameters = { new("shop", change.ShopId), new("order", change.OrderId), new("status", StatusName(change.Status)), new("counted", counted), new("at", change.UpdatedAt.ToUniversalTime()) },
        });
        if (!stored.Value.Counted && counted)
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
        await ExecuteAsync(connection, transaction, $"select {_s}.rebuild_summaries(@shop, @from, @to)", cancellationToken, ("shop", shopId), ("from", from), ("to", to)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<BulkSyncResult> BulkSyncAsync(string shopId, IEnumerable<ProductSnapshot> products, IEnumerable<OrderSnapshot> orders, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(shopId);
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(orders);
        var started = Stopwatch.GetTimestamp();
        using var activity = Start("bulk_sync", shopId);
        await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "select pg_advisory_xact_lock(hashtextextended('analytics:' || @shop, 0))", cancellationToken, ("shop", shopId)).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction,
            """
            create temporary table tmp_products (product_id text, name text, sku text, category text, price numeric, cost numeric, currency text,
                stock int, expires_at timestamptz, lead_time_days int, updated_at timestamptz) on commit drop;
            create temporary table tmp_orders (order_id text, platform text, status text, counted boolean, currency text,
                created_at timestamptz, updated_at timestamptz) on commit drop;
            create temporary table tmp_lines (order_id text, order_updated_at timestamptz, line_no int, product_id text, quantity int,
                unit_price numeric, unit_cost numeric) on commit drop;
            """,
            cancellationToken).ConfigureAwait(false);

        var phase = Stopwatch.GetTimestamp();
        void Phase(string name)
        {
            Log.BulkSyncPhase(logger, shopId, name, Stopwatch.GetElapsedTime(phase));
            phase = Stopwatch.GetTimestamp();
        }

        string? currency = null;
        var productRows = await CopyProductsAsync(connection, shopId, products, cancellationToken).ConfigureAwait(false);
        var errors = new AnalyticsValidation.Errors();
        var chunk = new List<OrderSnapshot>(BulkChunk);
        var seen = new HashSet<(string, long)>();
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

        Phase("copy");
        await using (var ensure = new NpgsqlBatch(connection, transaction))
        {
            AddAll(ensure, EnsureShop(shopId, currency));
            await ensure.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var writtenProducts = await ExecuteAsync(connection, transaction,
            ProductUpsertSql(
                """
                select distinct on (product_id) @shop, product_id, name, sku, category, price, cost, currency, stock, expires_at, lead_time_days,
                       false, updated_at, updated_at, updated_at
                  from tmp_products order by product_id, updated_at desc
                """),
            cancellationToken,
            ("shop", shopId)).ConfigureAwait(false);

        Phase("products");
        // The newest version of each order in the input, a newer pending status change applied, kept if newer than stored.
        await ExecuteAsync(connection, transaction,
            $"""
            create temporary table tmp_changed on commit drop as
            with winners as (
                select distinct on (order_id) *, updated_at as lines_version from tmp_orders order by order_id, updated_at desc)
            select w.order_id, w.platform,
                   case when p.updated_at > w.updated_at then p.status
                        when o.status_updated_at > w.updated_at then o.status
                        else w.status end as status,
                   case when p.updated_at > w.updated_at then p.counted
                        when o.status_updated_at > w.updated_at then o.counted
                        else w.counted end as counted,
                   w.currency, w.created_at, w.updated_at,
                   greatest(w.updated_at, p.updated_at, o.status_updated_at) as status_updated_at,
                   w.lines_version, o.created_at as old_created_at
              from winners w
              left join {_s}.orders o on o.shop_id = @shop and o.order_id = w.order_id
              left join {_s}.pending_status_changes p on p.shop_id = @shop and p.order_id = w.order_id
             where o.order_id is null or o.updated_at < w.updated_at;
            """,
            cancellationToken,
            ("shop", shopId)).ConfigureAwait(false);

        Phase("select changed orders");
        var writtenOrders = (int)(await ScalarAsync<long>(connection, transaction, "select count(*) from tmp_changed", cancellationToken).ConfigureAwait(false));
        await ExecuteAsync(connection, transaction,
            $"""
            delete from {_s}.pending_status_changes p using tmp_changed c where p.shop_id = @shop and p.order_id = c.order_id;
            insert into {_s}.orders (shop_id, order_id, platform, status, counted, currency, created_at, updated_at, status_updated_at)
            select @shop, order_id, platform, status, counted, currency, created_at, updated_at, status_updated_at from tmp_changed
            on conflict (shop_id, order_id) do update
               set platform = excluded.platform, status = excluded.status, counted = excluded.counted,
                   currency = excluded.currency, created_at = excluded.created_at, updated_at = excluded.updated_at,
                   status_updated_at = excluded.status_updated_at;
            delete from {_s}.order_lines l using tmp_changed c where l.shop_id = @shop and l.order_id = c.order_id;
            """,
            cancellationToken,
            ("shop", shopId)).ConfigureAwait(false);
        Phase("write orders");
        var writtenLines = await ExecuteAsync(connection, transaction,
            $"""
            insert into {_s}.order_lines (shop_id, order_id, line_no, product_id, quantity, unit_price, unit_cost)
            select @shop, l.order_id, l.line_no, l.product_id, l.quantity, l.unit_price, l.unit_cost
              from tmp_lines l join tmp_changed c on c.order_id = l.order_id and l.order_updated_at = c.lines_version;
            """,
            cancellationToken,
            ("shop", shopId)).ConfigureAwait(false);

        Phase("write lines");
        // Recompute the summaries of every local day the written orders were or are in, one contiguous run at a time.
        var days = new List<DateOnly>();
        await using (var dayQuery = new NpgsqlCommand(
            $"""
            select distinct day from (
                select (created_at at time zone s.time_zone)::date as day from tmp_changed, {_s}.shops s where s.shop_id = @shop
                union
                select (old_created_at at time zone s.time_zone)::date from tmp_changed, {_s}.shops s where s.shop_id = @shop and old_created_at is not null) d
            order by day
            """,
            connection,
            transaction))
        {
            dayQuery.Parameters.AddWithValue("shop", shopId);
            await using var reader = await dayQuery.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                days.Add(reader.GetFieldValue<DateOnly>(0));
            }
        }

        foreach (var (from, to) in Runs(days))
        {
            await ExecuteAsync(connection, transaction, $"select {_s}.rebuild_summaries(@shop, @from, @to)", cancellationToken, ("shop", shopId), ("from", from), ("to", to)).ConfigureAwait(false);
        }

        Phase("summaries");
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Phase("commit");
        metrics.BulkRows("products", productRows);
        metrics.BulkRows("orders", orderRows);
        metrics.BulkRows("lines", lineRows);
        var result = new BulkSyncResult(writtenProducts, writtenOrders, writtenLines, days.Count);
        Log.BulkSynced(logger, shopId, result.Products, result.Orders, result.Lines, result.Days, Stopwatch.GetElapsedTime(started));
        return result;
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
    /// copied (same order, same version) is skipped, so lines can be inserted without a conflict check.
    /// </summary>
    private static async Task<(long Orders, long Lines)> CopyOrdersAsync(NpgsqlConnection connection, List<OrderSnapshot> orders, HashSet<(string, long)> seen, CancellationToken cancellationToken)
    {
        var fresh = orders.Where(o => seen.Add((o.OrderId, o.UpdatedAt.UtcTicks))).ToList();
        await using (var writer = await connection.BeginBinaryImportAsync(
            "copy tmp_orders (order_id, platform, status, counted, currency, created_at, updated_at) from stdin (format binary)", cancellationToken).ConfigureAwait(false))
        {
            foreach (var order in fresh)
            {
                writer.StartRow();
                writer.Write(order.OrderId, NpgsqlDbType.Text);
                writer.Write(order.Platform, NpgsqlDbType.Text);
                writer.Write(StatusName(order.Status), NpgsqlDbType.Text);
                writer.Write(SalesStatuses.Counts(order.Status), NpgsqlDbType.Boolean);
                writer.Write(order.Currency, NpgsqlDbType.Text);
                writer.Write(order.CreatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                writer.Write(order.UpdatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
            }

            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        long lines = 0;
        await using (var writer = await connection.BeginBinaryImportAsync(
            "copy tmp_lines (order_id, order_updated_at, line_no, product_id, quantity, unit_price, unit_cost) from stdin (format binary)", cancellationToken).ConfigureAwait(false))
        {
            foreach (var order in fresh)
            {
                var version = order.UpdatedAt.ToUniversalTime();
                for (var i = 0; i < order.Lines.Count; i++)
                {
                    var line = order.Lines[i];
                    writer.StartRow();
                    writer.Write(order.OrderId, NpgsqlDbType.Text);
                    writer.Write(version, NpgsqlDbType.TimestampTz);
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

    /// <summary>Locks the shop (shared) and the order (exclusive), makes sure the shop exists, and reads the stored order.</summary>
    private async Task<StoredOrder?> LockAndReadOrderAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string shopId,
        string orderId,
        string? currency,
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
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"select updated_at, counted, status, status_updated_at from {_s}.orders where shop_id = @shop and order_id = @order")
        {
            Parameters = { new("shop", shopId), new("order", orderId) },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredOrder(reader.GetFieldValue<DateTimeOffset>(0), reader.GetBoolean(1), Enum.Parse<OrderStatus>(reader.GetString(2), ignoreCase: true), reader.GetFieldValue<DateTimeOffset>(3))
            : null;
    }

    /// <summary>
    /// Creates the shop on its first event. <c>ON CONFLICT DO NOTHING</c> plus an update that matches only while the
    /// currency is unknown: an <c>ON CONFLICT DO UPDATE ... WHERE</c> would lock the shop's row even when the WHERE is
    /// false, and every order event of the shop would wait for the others to commit.
    /// </summary>
    private IEnumerable<NpgsqlBatchCommand> EnsureShop(string shopId, string? currency)
    {
        yield return new NpgsqlBatchCommand($"insert into {_s}.shops (shop_id, time_zone, currency) values (@shop, @tz, @currency) on conflict (shop_id) do nothing")
        {
            Parameters =
            {
                new("shop", shopId),
                new("tz", _options.DefaultTimeZone),
                new("currency", NpgsqlDbType.Text) { Value = (object?)currency ?? DBNull.Value },
            },
        };
        if (currency is not null)
        {
            yield return new NpgsqlBatchCommand($"update {_s}.shops set currency = @currency where shop_id = @shop and currency is null")
            {
                Parameters = { new("shop", shopId), new("currency", currency) },
            };
        }
    }

    private NpgsqlBatchCommand Contribution(string shopId, string orderId, int sign) =>
        new($"select {_s}.apply_order_contribution(@shop, @order, @sign)")
        {
            Parameters = { new("shop", shopId), new("order", orderId), new("sign", sign) },
        };

    /// <summary>Product fields change with a newer product version, stock with a newer stock version.</summary>
    private string ProductUpsertSql(string source) =>
        $"""
        insert into {_s}.products as p (shop_id, product_id, name, sku, category, price, cost, currency, stock, expires_at, lead_time_days,
                                        deleted, first_seen_at, updated_at, stock_updated_at)
        {source}
        on conflict (shop_id, product_id) do update set
            name = case when p.updated_at < excluded.updated_at then excluded.name else p.name end,
            sku = case when p.updated_at < excluded.updated_at then excluded.sku else p.sku end,
            category = case when p.updated_at < excluded.updated_at then excluded.category else p.category end,
            price = case when p.updated_at < excluded.updated_at then excluded.price else p.price end,
            cost = case when p.updated_at < excluded.updated_at then excluded.cost else p.cost end,
            currency = case when p.updated_at < excluded.updated_at then excluded.currency else p.currency end,
            expires_at = case when p.updated_at < excluded.updated_at then excluded.expires_at else p.expires_at end,
            lead_time_days = case when p.updated_at < excluded.updated_at then excluded.lead_time_days else p.lead_time_days end,
            deleted = case when p.updated_at < excluded.updated_at then false else p.deleted end,
            first_seen_at = least(p.first_seen_at, excluded.first_seen_at),
            updated_at = greatest(p.updated_at, excluded.updated_at),
            stock = case when p.stock_updated_at < excluded.stock_updated_at then excluded.stock else p.stock end,
            stock_updated_at = greatest(p.stock_updated_at, excluded.stock_updated_at)
        where p.updated_at < excluded.updated_at or p.stock_updated_at < excluded.stock_updated_at
        """;

    private static void AddAll(NpgsqlBatch batch, IEnumerable<NpgsqlBatchCommand> commands)
    {
        foreach (var command in commands)
        {
            batch.BatchCommands.Add(command);
        }
    }

    internal static string StatusName(OrderStatus status) => status.ToString().ToLowerInvariant();

    private IngestOutcome Record(string kind, IngestOutcome outcome)
    {
        metrics.Ingested(kind, outcome);
        Activity.Current?.SetTag("commerce.analytics.outcome", outcome.ToString());
        return outcome;
    }

    private static Activity? Start(string kind, string shopId)
    {
        var activity = Activities.StartActivity("commerce.analytics.ingest." + kind);
        activity?.SetTag("commerce.analytics.shop_id", shopId);
        return activity;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T?> ScalarAsync<T>(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return result is DBNull or null ? default : (T)result;
    }
}

/// <summary>An order as stored: the versions of its snapshot and of its status.</summary>
internal readonly record struct StoredOrder(DateTimeOffset UpdatedAt, bool Counted, OrderStatus Status, DateTimeOffset StatusUpdatedAt);
