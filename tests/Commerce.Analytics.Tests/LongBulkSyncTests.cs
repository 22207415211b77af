namespace Commerce.Analytics.Tests;

/// <summary>
/// A bulk sync is one long transaction over a shop's whole history, and migrating waits for every other instance's
/// migration: none of their statements may be cut by the connection's command timeout (30 s by default), which a big
/// history, a slow machine or a wait for a lock exceeds. Real PostgreSQL.
/// </summary>
public sealed class LongBulkSyncTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [IntegrationFact(TestServer.Postgres)]
    public async Task ABulkSyncLongerThanTheCommandTimeout_Completes()
    {
        // Command Timeout=1: the sync waits 3 s for the shop's lock, held by a live writer, after its COPY.
        await using var migrated = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString + ";Command Timeout=1", configure: o => o.Schema = migrated.Schema);
        var at = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var history = Enumerable.Range(0, 50).Select(i => new OrderSnapshot
        {
            ShopId = "shop", OrderId = $"o{i}", Platform = "web", Status = OrderStatus.Paid, Currency = "USD",
            CreatedAt = at.AddMinutes(i), UpdatedAt = at.AddMinutes(i), Lines = [new OrderLine("p1", 1, 10m, 4m)],
        }).ToList();
        await using var writer = new Npgsql.NpgsqlConnection(postgres.ConnectionString);
        await writer.OpenAsync();
        await using var holding = await writer.BeginTransactionAsync();
        await using (var take = new Npgsql.NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended('analytics:shop', 0))", writer, holding))
        {
            await take.ExecuteNonQueryAsync();
        }

        var sync = h.Ingestion.BulkSyncAsync("shop", [], history);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await holding.CommitAsync();

        var result = await sync;
        Assert.Equal(50, result.Orders);
        // read with the default timeout: the one-second one is the sync's test condition, not the report's
        var d = await migrated.Reports.GetDashboardAsync(new ReportRange("shop", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 1)));
        Assert.Equal(50, d.Orders);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task MigratingWhileAnotherInstanceMigrates_WaitsForIt_HoweverShortTheCommandTimeout()
    {
        // Instances starting together migrate one at a time (a server-wide advisory lock). The one that waits must not
        // fail its start because the wait, or a long migration, outlasts the connection's command timeout.
        await using var holder = new Npgsql.NpgsqlConnection(postgres.ConnectionString);
        await holder.OpenAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await using (var take = new Npgsql.NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended('commerce.migrations', 0))", holder, holding))
        {
            await take.ExecuteNonQueryAsync();
        }

        string? schema = null;
        var starting = AnalyticsHarness.CreateAsync(postgres.ConnectionString + ";Command Timeout=1", configure: o => schema = o.Schema);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await holding.CommitAsync();

        await using var waited = await starting;   // its start did not fail, and it applied every migration
        var migrations = typeof(IAnalyticsIngestion).Assembly.GetManifestResourceNames().Count(n => n.Contains(".Migrations.", StringComparison.Ordinal));
        await using (var applied = new Npgsql.NpgsqlCommand($"select count(*) from \"{schema}\".schema_migrations", holder))
        {
            Assert.Equal(migrations, Convert.ToInt32(await applied.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
        }

        // The schema it migrated is whole: an instance on it (with the default timeout: a one-second one is the
        // waiting instance's test condition, not something an ingestion on a loaded machine always finishes in) finds
        // nothing left to migrate and ingests.
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString, configure: o => o.Schema = schema!);
        Assert.Equal(IngestOutcome.Applied, await h.Ingestion.UpsertOrderAsync(new OrderSnapshot
        {
            ShopId = "shop", OrderId = "o1", Platform = "web", Status = OrderStatus.Paid, Currency = "USD",
            CreatedAt = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero), UpdatedAt = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero),
            Lines = [new OrderLine("p1", 1, 10m, 4m)],
        }));
    }
}
