namespace Commerce.Analytics.Tests;

/// <summary>
/// What a bulk sync costs per order, counted by PostgreSQL (track_functions) rather than timed: the merge by the version
/// rule must not call a function for each order whose evidence has nothing to add. Real PostgreSQL.
/// </summary>
public sealed class BulkSyncCostTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [IntegrationFact(TestServer.Postgres)]
    public async Task ABulkSync_CallsNoEvidenceFunctionPerOrder_WhenTheOrderHasNoRefundToMerge()
    {
        // 2,000 completed orders and 20 refunded ones, a shop's first sync. Before, every order cost five calls of the
        // evidence functions (times_add, full_refund_at: never inlined, as each holds a sub-select), about 4 us each:
        // 5 s of a 300,000-order sync. Only the refunded orders have refund times to merge.
        string schema;
        await using (var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString + ";Options=-c track_functions=all"))
        {
            var at = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
            var history = Enumerable.Range(0, 2_020).Select(i => new OrderSnapshot
            {
                ShopId = "shop", OrderId = $"o{i}", Platform = "web", Status = i < 2_000 ? OrderStatus.Completed : OrderStatus.Refunded,
                Currency = "USD", CreatedAt = at.AddSeconds(i), UpdatedAt = at.AddSeconds(i + 60), Lines = [new OrderLine("p1", 1, 10m, 4m)],
            }).ToList();

            var result = await h.Ingestion.BulkSyncAsync("shop", [], history);

            Assert.Equal(2_020, result.Orders);
            var d = await h.Reports.GetDashboardAsync(new ReportRange("shop", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 1)));
            Assert.Equal(2_020, d.Orders);
            Assert.Equal(200m, d.Returns);   // the 20 refunds were still merged and booked
            schema = h.Schema;
        }

        // The sync's backend reports its counts when its connection closes (the harness is disposed): wait for the call
        // of rebuild_summaries it certainly made, then read the evidence functions' calls from the same report.
        await using var connection = new Npgsql.NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        async Task<long> CallsAsync(string functions)
        {
            await using var command = new Npgsql.NpgsqlCommand(
                $"select pg_stat_clear_snapshot(); select coalesce(sum(calls), 0)::bigint from pg_stat_user_functions where schemaname = @schema and funcname = any(@names)",
                connection);
            command.Parameters.AddWithValue("schema", schema);
            command.Parameters.AddWithValue("names", functions.Split(','));
            await using var reader = await command.ExecuteReaderAsync();
            await reader.NextResultAsync();
            await reader.ReadAsync();
            return reader.GetInt64(0);
        }

        await Eventually.TrueAsync(async () => await CallsAsync("rebuild_summaries") >= 1, TimeSpan.FromSeconds(60), "the sync's statistics are reported");
        var evidenceCalls = await CallsAsync("times_add,full_refund_at,times_union,earliest_refund");
        Assert.InRange(evidenceCalls, 0, 100);   // a few per refunded order, none per completed one (was about 10,000)
    }
}
