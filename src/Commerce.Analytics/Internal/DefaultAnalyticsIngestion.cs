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
/// transaction, by <c>apply_orders_contribution</c> (<c>order_contributions</c>, migrations 0006 and 0008). This file holds the shop settings and the shared ADO helpers; the
/// writes are split by what they write: <c>.Products.cs</c>, <c>.Orders.cs</c>, <c>.Bulk.cs</c>.
/// </summary>
internal sealed partial class DefaultAnalyticsIngestion(
    AnalyticsConnections connections,
    IOptions<AnalyticsOptions> options,
    AnalyticsMetrics metrics,
    ILogger<DefaultAnalyticsIngestion> logger) : IAnalyticsIngestion
{
    internal static readonly ActivitySource Activities = new(CommerceAnalyticsDiagnostics.ActivitySourceName);

    private readonly string _s = connections.Schema;
    private readonly AnalyticsOptions _options = options.Value;

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        var applied = await PostgresMigrator.ApplyAsync(connections.DataSource, _options.Schema, typeof(DefaultAnalyticsIngestion).Assembly, cancellationToken).ConfigureAwait(false);
        if (applied.Count > 0)
        {
            Log.MigrationsApplied(logger, string.Join(",", applied), _options.Schema);
        }

        await RepairTimeZonesAsync(cancellationToken).ConfigureAwait(false);
    }

    private string Sql(string file) => connections.Sql(file);

    /// <summary>
    /// Makes sure every shop can ingest: the default time zone must be one this PostgreSQL server knows (else the start
    /// fails, naming it), and a shop stored by an older version with a zone PostgreSQL refuses (a Windows id, a typo)
    /// gets its IANA name, or the default when it has none, with its summaries recomputed under it.
    /// </summary>
    private async Task RepairTimeZonesAsync(CancellationToken cancellationToken)
    {
        var broken = new List<(string ShopId, string TimeZone)>();
        await using (var command = connections.DataSource.CreateCommand(
            Sql("time_zones_check.sql")))
        {
            command.Parameters.AddWithValue("tz", _options.DefaultTimeZone);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!reader.IsDBNull(0) && !reader.GetBoolean(0))
                {
                    throw new InvalidOperationException(
                        $"AnalyticsOptions.DefaultTimeZone '{_options.DefaultTimeZone}' is not a time zone this PostgreSQL server knows (pg_timezone_names); set an IANA name it lists, for example 'Asia/Bangkok'.");
                }

                if (!reader.IsDBNull(1))
                {
                    broken.Add((reader.GetString(1), reader.GetString(2)));
                }
            }
        }

        foreach (var (shopId, timeZone) in broken)
        {
            var repaired = AnalyticsValidation.IanaName(timeZone) ?? _options.DefaultTimeZone;
            try
            {
                await SetShopAsync(shopId, repaired, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (AnalyticsValidationException)
            {
                await SetShopAsync(shopId, _options.DefaultTimeZone, cancellationToken: cancellationToken).ConfigureAwait(false);   // an IANA name this server lacks
                repaired = _options.DefaultTimeZone;
            }

            Log.TimeZoneRepaired(logger, shopId, timeZone, repaired);
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
            Sql("shop_set.sql"),
            cancellationToken,
            ("shop", shopId),
            ("tz", timeZone),
            ("currency", (object?)currency ?? DBNull.Value)).ConfigureAwait(false);
        if (previous is not null && previous != timeZone)
        {
            // Days are local: every summary of the shop is recomputed under the new time zone.
            await UnboundedAsync(connection, transaction, $"select {_s}.rebuild_shop(@shop)", cancellationToken, ("shop", shopId)).ConfigureAwait(false);
            Log.TimeZoneChanged(logger, shopId, timeZone);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
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

    private static void AddAll(NpgsqlBatch batch, IEnumerable<NpgsqlBatchCommand> commands)
    {
        foreach (var command in commands)
        {
            batch.BatchCommands.Add(command);
        }
    }

    /// <summary>The status as stored (lower case), without allocating: a bulk sync writes it for every order.</summary>
    internal static string StatusName(OrderStatus status) => status switch
    {
        OrderStatus.Pending => "pending",
        OrderStatus.Paid => "paid",
        OrderStatus.Shipped => "shipped",
        OrderStatus.Completed => "completed",
        OrderStatus.Cancelled => "cancelled",
        OrderStatus.Refunded => "refunded",
        _ => status.ToString().ToLowerInvariant(),
    };

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

    /// <summary>Recomputes a shop's summaries for local days [from, to].</summary>
    private Task<int> RebuildDaysAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string shopId, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        UnboundedAsync(connection, transaction, $"select {_s}.rebuild_summaries(@shop, @from, @to)", cancellationToken, ("shop", shopId), ("from", from), ("to", to));

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A rebuild or a bulk sync reads a shop's whole history: no command timeout (the token still cancels it).</summary>
    private static async Task<int> UnboundedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        command.CommandTimeout = 0;
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private static async Task<T?> ScalarAsync<T>(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return result is DBNull or null ? default : (T)result;
    }
}
