namespace Commerce.Analytics.Tests;

/// <summary>
/// A bulk sync copies its input in chunks of 50,000 orders as it reads it. Whatever stops the reading after chunks were
/// already copied (an invalid order, the input's own failure) must still fail the sync with that error and commit
/// nothing, and the input is enumerated once. Real PostgreSQL.
/// </summary>
public sealed class BulkSyncInputTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const int PastTheFirstChunk = 50_001;

    [IntegrationFact(TestServer.Postgres)]
    public async Task AnInvalidOrderAfterChunksWereCopied_FailsTheSyncWithItsField_AndCommitsNothing()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        var input = new CountingInput([.. History(PastTheFirstChunk), Order(PastTheFirstChunk) with { ShopId = "other" }]);

        var refused = await Assert.ThrowsAsync<AnalyticsValidationException>(() => h.Ingestion.BulkSyncAsync("shop", [], input));

        Assert.Contains($"orders[{PastTheFirstChunk}].shopId", refused.Errors.Keys);
        Assert.Equal(1, input.Enumerations);
        Assert.Equal(0, await StoredOrdersAsync(h));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task AnInputThatFailsAfterChunksWereCopied_FailsTheSyncWithItsOwnError_AndCommitsNothing()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => h.Ingestion.BulkSyncAsync("shop", [], Failing()));

        Assert.Equal("the storefront's export broke", failed.Message);
        Assert.Equal(0, await StoredOrdersAsync(h));

        static IEnumerable<OrderSnapshot> Failing()
        {
            foreach (var order in History(PastTheFirstChunk))
            {
                yield return order;
            }

            throw new InvalidOperationException("the storefront's export broke");
        }
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task ASyncOfSeveralChunks_WritesEveryOrderOnce()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        var input = new CountingInput([.. History(PastTheFirstChunk * 2)]);

        var result = await h.Ingestion.BulkSyncAsync("shop", [], input);

        Assert.Equal(PastTheFirstChunk * 2, result.Orders);
        Assert.Equal(1, input.Enumerations);
        Assert.Equal(PastTheFirstChunk * 2, await StoredOrdersAsync(h));
        var d = await h.Reports.GetDashboardAsync(new ReportRange("shop", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 30)));
        Assert.Equal(PastTheFirstChunk * 2, d.Orders);
    }

    private async Task<long> StoredOrdersAsync(AnalyticsHarness h)
    {
        await using var connection = new Npgsql.NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand($"select count(*) from {h.Schema}.orders where shop_id = 'shop'", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static IEnumerable<OrderSnapshot> History(int count) => Enumerable.Range(0, count).Select(Order);

    private static OrderSnapshot Order(int i)
    {
        var at = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(i * 20);
        return new OrderSnapshot
        {
            ShopId = "shop", OrderId = $"o{i}", Platform = "web", Status = OrderStatus.Paid, Currency = "USD",
            CreatedAt = at, UpdatedAt = at, Lines = [new OrderLine("p1", 1, 10m, 4m)],
        };
    }

    private sealed class CountingInput(List<OrderSnapshot> orders) : IEnumerable<OrderSnapshot>
    {
        public int Enumerations { get; private set; }

        public IEnumerator<OrderSnapshot> GetEnumerator()
        {
            Enumerations++;
            return orders.GetEnumerator();
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
