namespace Commerce.Analytics.Tests;

/// <summary>
/// A hot shop's orders applied a batch at a time: the same outcomes as one at a time, and batches racing each other
/// from two instances (and single events among them) neither deadlock nor lose or double an order.
/// </summary>
public sealed class BatchTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset At = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static OrderSnapshot Order(int i, OrderStatus status = OrderStatus.Paid, int minutes = 0) => new()
    {
        ShopId = "hot", OrderId = $"o{i}", Platform = i % 2 == 0 ? "shopee" : "web", Status = status, Currency = "USD",
        CreatedAt = At.AddSeconds(i), UpdatedAt = At.AddSeconds(i).AddMinutes(minutes), Lines = [new OrderLine($"p{i % 7}", 1 + (i % 3), 10m, 4m)],
        PlatformFee = 0.5m,
    };

    [IntegrationTheory(TestServer.Postgres)]
    [InlineData(0)]    // a small batch: applied one at a time
    [InlineData(20)]   // a big one: the set-based path
    public async Task ABatch_SaysWhichOrdersItApplied_AsOneAtATimeWould(int others)
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        await h.Ingestion.UpsertOrderAsync(Order(1, minutes: 10));   // stored already, newer than the batch's copy
        OrderSnapshot[] batch = [Order(1), Order(2), Order(2), Order(3, OrderStatus.Pending), Order(3, OrderStatus.Paid, minutes: 1), .. Enumerable.Range(100, others).Select(i => Order(i))];

        var outcomes = await h.Ingestion.UpsertOrdersAsync("hot", batch);

        Assert.Equal([IngestOutcome.Ignored, IngestOutcome.Applied, IngestOutcome.Ignored, IngestOutcome.Ignored, IngestOutcome.Applied, .. Enumerable.Repeat(IngestOutcome.Applied, others)], outcomes);
        var d = await h.Reports.GetDashboardAsync(new ReportRange("hot", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 1)));
        Assert.Equal(3 + others, d.Orders);
        var refused = await Assert.ThrowsAsync<AnalyticsValidationException>(() => h.Ingestion.UpsertOrdersAsync("hot", [.. batch.Skip(5), Order(999) with { ShopId = "other" }]));
        Assert.Contains($"orders[{others}].shopId", refused.Errors.Keys);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task OlderCopiesInABatch_AreAppliedOnlyWhenTheyTellSomethingNew_AsOneAtATime()
    {
        // Stored: paid at +10 min. The batch's older copies: paid at +2 (nothing new) and cancelled at +5 (a refund time).
        OrderSnapshot[] older = [Order(1, minutes: 2), Order(1, OrderStatus.Cancelled, minutes: 5)];
        var outcomes = new List<IReadOnlyList<IngestOutcome>>();
        foreach (var others in new[] { 20, 0 })   // the set-based path, then one at a time
        {
            await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
            await h.Ingestion.UpsertOrderAsync(Order(1, minutes: 10));
            var all = await h.Ingestion.UpsertOrdersAsync("hot", [.. older, .. Enumerable.Range(100, others).Select(i => Order(i))]);
            outcomes.Add(all.Take(2).ToList());
        }

        Assert.Equal([IngestOutcome.Ignored, IngestOutcome.Applied], outcomes[0]);
        Assert.Equal(outcomes[1], outcomes[0]);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task RacingBatchesFromTwoInstances_NeitherDeadlockNorLoseOrDoubleAnOrder()
    {
        await using var a = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        await using var b = await AnalyticsHarness.CreateAsync(postgres.ConnectionString, configure: o => o.Schema = a.Schema);
        var orders = Enumerable.Range(0, 2_000).Select(i => Order(i)).ToList();
        var updates = orders.Where((_, i) => i % 5 == 0).Select(o => o with { Status = OrderStatus.Cancelled, UpdatedAt = o.UpdatedAt.AddMinutes(5) }).ToList();
        var random = new Random(42);
        var work = orders.Concat(orders.Take(300)).Concat(updates).OrderBy(_ => random.Next()).Chunk(50).ToList();

        await Parallel.ForEachAsync(work.Select((chunk, i) => (chunk, i)), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (item, ct) =>
        {
            var instance = item.i % 2 == 0 ? a : b;
            if (item.i % 7 == 0)
            {
                foreach (var order in item.chunk)
                {
                    await instance.Ingestion.UpsertOrderAsync(order, ct);   // single events racing the batches
                }
            }
            else
            {
                await instance.Ingestion.UpsertOrdersAsync("hot", item.chunk, ct);
            }
        });

        // Every order was paid, so each is a sale once; the cancelled fifth gives its net sales back the same day (fees stay).
        var kept = orders.Where((_, i) => i % 5 != 0).ToList();
        var d = await a.Reports.GetDashboardAsync(new ReportRange("hot", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 1)));
        Assert.Equal(
            (orders.Count, orders.Sum(o => o.Lines.Sum(l => l.Quantity * l.UnitPrice)), kept.Sum(o => o.Lines.Sum(l => l.Quantity * l.UnitPrice)), orders.Sum(o => o.PlatformFee)),
            (d.Orders, d.GrossSales, d.Revenue, d.PlatformFees));
        var platforms = await b.Reports.GetPlatformsAsync(new ReportRange("hot", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 1)));
        Assert.Equal(orders.Count(o => o.Platform == "shopee"), platforms.Platforms.Single(p => p.Platform == "shopee").Orders);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task ABatchReadsOnlyItsOwnOrders_HoweverMuchTheShopGrewSinceItsStatistics()
    {
        // A shop that turns hot: its statistics (taken when it had one order) say it is tiny, and the contribution rule
        // every path shares is planned once, generically, from them. It must still look its orders up by id, not read
        // the shop's whole history per batch (which made each batch slower than the last as the shop grew): the batch
        // path takes the statistics again each time the shop doubles.
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        await h.Ingestion.UpsertOrderAsync(Order(0));
        await using var connection = new Npgsql.NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using (var analyze = new Npgsql.NpgsqlCommand($"analyze {h.Schema}.orders; alter table {h.Schema}.orders set (autovacuum_enabled = false)", connection))
        {
            await analyze.ExecuteNonQueryAsync();
        }

        for (var from = 1; from < 3_000; from += 500)
        {
            await h.Ingestion.UpsertOrdersAsync("hot", Enumerable.Range(from, 500).Select(i => Order(i)).ToList());
        }

        await using var transaction = await connection.BeginTransactionAsync();
        await using var apply = new Npgsql.NpgsqlCommand(
            $"""
            select {h.Schema}.apply_orders_contribution('hot', array['o1', 'o2', 'o3', 'o4', 'o5'], 1);
            select coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0) from pg_stat_xact_user_tables where relid = '{h.Schema}.orders'::regclass
            """,
            connection,
            transaction);
        long ordersRead;
        await using (var reader = await apply.ExecuteReaderAsync())
        {
            await reader.NextResultAsync();   // past the contribution, to the counters of this transaction
            await reader.ReadAsync();
            ordersRead = reader.GetInt64(0);
        }

        await transaction.RollbackAsync();

        Assert.InRange(ordersRead, 5, 50);   // its five orders (and the rule's own look-ups), not the shop's 3,000
    }
}
