namespace Commerce.Analytics.Tests;

/// <summary>
/// A shop's time zone reaches PostgreSQL only as a name PostgreSQL knows: a Windows id is converted to its IANA name,
/// anything else is refused, so no setting can leave a shop unable to ingest.
/// </summary>
public sealed class TimeZoneTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static OrderSnapshot Order(string shop, string id, DateTimeOffset created) => new()
    {
        ShopId = shop, OrderId = id, Platform = "web", Status = OrderStatus.Paid, Currency = "THB", CreatedAt = created, UpdatedAt = created,
        Lines = [new OrderLine("p1", 1, 10m, 4m)],
    };

    [IntegrationFact(TestServer.Postgres)]
    public async Task AWindowsTimeZoneId_IsTakenAsItsIanaName_AndTheShopKeepsIngesting()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        await h.Ingestion.SetShopAsync("shop", "SE Asia Standard Time");   // Windows for UTC+7, Asia/Bangkok

        await h.Ingestion.UpsertOrderAsync(Order("shop", "o1", new DateTimeOffset(2026, 6, 1, 18, 0, 0, TimeSpan.Zero)));   // June 2nd, 01:00 in Bangkok
        await h.Ingestion.BulkSyncAsync("shop", [], [Order("shop", "o2", new DateTimeOffset(2026, 6, 1, 18, 30, 0, TimeSpan.Zero))]);

        var days = await h.Reports.GetSalesAsync(new ReportRange("shop", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 2)), SalesInterval.Day);
        Assert.Equal([0, 2], days.Points.Select(p => p.Orders));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task ATimeZoneNoOneKnows_IsRefused_AndTheShopKeepsItsOwn()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        await h.Ingestion.SetShopAsync("shop", "Asia/Bangkok");

        var error = await Assert.ThrowsAsync<AnalyticsValidationException>(() => h.Ingestion.SetShopAsync("shop", "Mars/Olympus_Mons"));
        Assert.True(error.Errors.ContainsKey("timeZone"));
        await h.Ingestion.UpsertOrderAsync(Order("shop", "o1", new DateTimeOffset(2026, 6, 1, 18, 0, 0, TimeSpan.Zero)));
        var days = await h.Reports.GetSalesAsync(new ReportRange("shop", new DateOnly(2026, 6, 2), new DateOnly(2026, 6, 2)), SalesInterval.Day);
        Assert.Equal(1, Assert.Single(days.Points).Orders);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task AWindowsDefaultTimeZone_IsTakenAsItsIanaName_ForNewShops()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString, configure: o => o.DefaultTimeZone = "SE Asia Standard Time");

        await h.Ingestion.UpsertOrderAsync(Order("new-shop", "o1", new DateTimeOffset(2026, 6, 1, 18, 0, 0, TimeSpan.Zero)));

        var days = await h.Reports.GetSalesAsync(new ReportRange("new-shop", new DateOnly(2026, 6, 2), new DateOnly(2026, 6, 2)), SalesInterval.Day);
        Assert.Equal(1, Assert.Single(days.Points).Orders);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task AShopStoredWithAZonePostgresDoesNotKnow_IsRepairedAtStartup_AndIngestsAgain()
    {
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString, configure: o => o.DefaultTimeZone = "Asia/Tokyo");
        await h.Ingestion.SetShopAsync("windows-shop", "Asia/Bangkok");
        await h.Ingestion.SetShopAsync("lost-shop", "Asia/Bangkok");
        // As an older version stored them: a Windows id, and a name no one knows. PostgreSQL refuses both in every query.
        await using (var db = Npgsql.NpgsqlDataSource.Create(postgres.ConnectionString))
        {
            await using var command = db.CreateCommand(
                $"update \"{h.Schema}\".shops set time_zone = case shop_id when 'windows-shop' then 'SE Asia Standard Time' else 'Mars/Olympus_Mons' end");
            await command.ExecuteNonQueryAsync();
        }

        await h.Ingestion.MigrateAsync();   // what every start does

        await h.Ingestion.UpsertOrderAsync(Order("windows-shop", "o1", new DateTimeOffset(2026, 6, 1, 18, 0, 0, TimeSpan.Zero)));   // June 2nd in Bangkok
        await h.Ingestion.UpsertOrderAsync(Order("lost-shop", "o1", new DateTimeOffset(2026, 6, 1, 16, 0, 0, TimeSpan.Zero)));      // June 2nd in Tokyo, 1st in Bangkok
        var bangkok = await h.Reports.GetSalesAsync(new ReportRange("windows-shop", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 2)), SalesInterval.Day);
        var tokyo = await h.Reports.GetSalesAsync(new ReportRange("lost-shop", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 2)), SalesInterval.Day);
        Assert.Equal([0, 1], bangkok.Points.Select(p => p.Orders));
        Assert.Equal([0, 1], tokyo.Points.Select(p => p.Orders));   // a zone that can't be recovered falls back to DefaultTimeZone
    }
}
