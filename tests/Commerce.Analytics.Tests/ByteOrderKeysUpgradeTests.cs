using System.Text.Json;
using Npgsql;

namespace Commerce.Analytics.Tests;

/// <summary>
/// Migration 0010 turns the ids and codes of every table to COLLATE "C". An installation that ran the migrations before
/// it, with a shop's history stored, must start with the same reports afterwards, with the planner's statistics of
/// the changed columns (an ALTER drops them), and go on ingesting. Real PostgreSQL.
/// </summary>
public sealed class ByteOrderKeysUpgradeTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [IntegrationFact(TestServer.Postgres)]
    public async Task UpgradingAShopWithHistory_ToByteOrderIds_KeepsEveryReport_AndIngestionGoesOn()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        // The schema as it was before 0010: its columns in the database's collation, the migration not applied; the
        // history is written and read in that state.
        var changed = await ByteOrderColumnsAsync(h);
        Assert.NotEmpty(changed);
        await using (var connection = await OpenAsync())
        {
            foreach (var (table, column) in changed)
            {
                await ExecuteAsync(connection, $"alter table {h.Schema}.{table} alter column {column} type text collate \"default\"");
            }

            await ExecuteAsync(connection, $"delete from {h.Schema}.schema_migrations where version = 10");
        }

        Assert.Empty(await ByteOrderColumnsAsync(h));

        var at = new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.Zero);
        await h.Ingestion.SetShopAsync("shop", "Asia/Bangkok", "USD");
        await h.Ingestion.BulkSyncAsync("shop", [], Enumerable.Range(0, 300).Select(i => new OrderSnapshot
        {
            ShopId = "shop", OrderId = $"Order-{i}", Platform = i % 2 == 0 ? "web" : "Shopee",
            Status = i % 10 == 0 ? OrderStatus.Refunded : OrderStatus.Completed, Currency = "USD",
            CreatedAt = at.AddHours(i), UpdatedAt = at.AddHours(i + 1), Discount = 1m,
            Lines = [new OrderLine($"p{i % 7}", 1 + (i % 3), 10m + (i % 5), 4m), new OrderLine($"P{i % 5}", 1, 3.5m, 1m)],
        }));
        await h.Ingestion.RecordRefundAsync(new OrderRefund
        {
            ShopId = "shop", OrderId = "Order-3", RefundId = "r1", RefundedAt = at.AddDays(3), Lines = [new RefundLine("p3", 1, 13m)],
        });
        var range = new ReportRange("shop", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 30));
        var before = await ReportsAsync(h, range);
        var dashboardBefore = await h.Reports.GetDashboardAsync(range);

        await h.Ingestion.MigrateAsync();

        Assert.Equal(changed, await ByteOrderColumnsAsync(h));
        Assert.True(await HasStatisticsAsync(h, "order_lines", "order_id"), "changing a column drops its statistics: the migration analyzes again");
        Assert.Equal(before, await ReportsAsync(h, range));
        Assert.Equal(IngestOutcome.Applied, await h.Ingestion.UpsertOrderAsync(new OrderSnapshot
        {
            ShopId = "shop", OrderId = "Order-300", Platform = "web", Status = OrderStatus.Paid, Currency = "USD",
            CreatedAt = at.AddDays(20), UpdatedAt = at.AddDays(20), Lines = [new OrderLine("p1", 2, 10m, 4m)],
        }));
        var dashboard = await h.Reports.GetDashboardAsync(range);
        Assert.Equal(dashboardBefore.Orders + 1, dashboard.Orders);
        Assert.Equal(dashboardBefore.NetSales + 20m, dashboard.NetSales);
    }

    private static async Task<string[]> ReportsAsync(AnalyticsHarness h, ReportRange range) =>
    [
        JsonSerializer.Serialize(await h.Reports.GetDashboardAsync(range)),
        JsonSerializer.Serialize(await h.Reports.GetSalesAsync(range, SalesInterval.Day)),
        JsonSerializer.Serialize(await h.Reports.GetSalesAsync(range, SalesInterval.Month)),
        JsonSerializer.Serialize(await h.Reports.GetProfitAsync(range)),
        JsonSerializer.Serialize(await h.Reports.GetPlatformsAsync(range)),
    ];

    private async Task<List<(string Table, string Column)>> ByteOrderColumnsAsync(AnalyticsHarness h)
    {
        await using var connection = await OpenAsync();
        await using var query = new NpgsqlCommand(
            "select table_name, column_name from information_schema.columns where table_schema = @schema and collation_name = 'C' order by 1, 2",
            connection);
        query.Parameters.AddWithValue("schema", h.Schema);
        var columns = new List<(string, string)>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            columns.Add((reader.GetString(0), reader.GetString(1)));
        }

        return columns;
    }

    private async Task<bool> HasStatisticsAsync(AnalyticsHarness h, string table, string column)
    {
        await using var connection = await OpenAsync();
        await using var query = new NpgsqlCommand(
            "select exists (select 1 from pg_stats where schemaname = @schema and tablename = @table and attname = @column)", connection);
        query.Parameters.AddWithValue("schema", h.Schema);
        query.Parameters.AddWithValue("table", table);
        query.Parameters.AddWithValue("column", column);
        return (bool)(await query.ExecuteScalarAsync())!;
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
