using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Commerce.StoreSimulator;
using Commerce.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit;

namespace Commerce.SampleHost.Tests;

/// <summary>
/// The dashboard in a real headless browser, as a seller uses it: live numbers after a webhook, the period picker, an
/// empty shop, an expired session, and a populated shop (whose screenshot is kept in artifacts/screenshots).
/// </summary>
public sealed class DashboardBrowserTests(SystemFixture system) : IClassFixture<SystemFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [BrowserFact]
    public async Task AWebhookReceivedByTheOtherInstance_ChangesTheNumbersOnScreen_WithoutAReload()
    {
        var shop = TestNames.Unique("shop");
        await using var dashboard = await Dashboard.OpenAsync(system.A.Address, shop);
        await dashboard.WaitForTextAsync("[data-testid=revenue]", "0.00");
        Assert.Equal("0", await dashboard.Page.TextContentAsync("[data-testid=orders]"));

        using var response = await PostOrderAsync(shop, "o-1", DateTimeOffset.UtcNow, 2, 50.00m, "shopee", via: system.B.Address);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await dashboard.WaitForTextAsync("[data-testid=revenue]", "100.00");
        Assert.Equal("1", await dashboard.Page.TextContentAsync("[data-testid=orders]"));
        Assert.Contains("THB", await dashboard.Page.TextContentAsync("[data-testid=revenue]"), StringComparison.Ordinal);
        await dashboard.WaitForTextAsync("[data-testid=platforms]", "shopee");
        dashboard.AssertNoErrors();
    }

    [BrowserFact]
    public async Task ADashboardLeftOpenAcrossTheShopsMidnight_ShowsTheNewDay_WithoutAReload()
    {
        var shop = TestNames.Unique("shop");
        var analytics = system.A.Services.GetRequiredService<Commerce.Analytics.IAnalyticsReports>();
        await using var dashboard = await Dashboard.OpenAsync(system.A.Address, shop);
        await dashboard.WaitForTextAsync("[data-testid=revenue]", "0.00");
        var before = await analytics.GetTodayAsync(shop);
        Assert.Equal(before.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), await dashboard.Page.InputValueAsync("#to"));

        // The shop's day turns while the page is open: its time zone becomes one where it is another day already, and
        // the host's minute-long memo of the shop's day is dropped (as it expires by itself at midnight).
        var zone = new[] { "Pacific/Kiritimati", "Etc/GMT+12" }.First(z =>
            DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById(z)).DateTime) != before);
        await system.A.Services.GetRequiredService<Commerce.Analytics.IAnalyticsIngestion>().SetShopAsync(shop, zone, "THB");
        await system.A.Services.GetRequiredService<Commerce.Caching.CommerceCache>().RemoveAsync(ReportCache.TodayKey(shop), null);
        var after = await analytics.GetTodayAsync(shop);
        Assert.NotEqual(before, after);

        using var response = await PostOrderAsync(shop, "o-1", DateTimeOffset.UtcNow, 2, 50.00m, "shopee");   // a sale of the new day
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await dashboard.WaitForTextAsync("[data-testid=revenue]", "100.00");
        Assert.Equal(after.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), await dashboard.Page.InputValueAsync("#to"));
        dashboard.AssertNoErrors();
    }

    [BrowserFact]
    public async Task ThePeriodPicker_ShowsTheChosenPeriod_AgainstTheOneBefore()
    {
        var shop = TestNames.Unique("shop");
        var today = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Bangkok")).Date;
        (await PostOrderAsync(shop, "old", DateTimeOffset.UtcNow.AddDays(-20), 1, 80m, "lazada")).Dispose();
        (await PostOrderAsync(shop, "last-week", DateTimeOffset.UtcNow.AddDays(-10), 1, 40m, "web")).Dispose();
        (await PostOrderAsync(shop, "new", DateTimeOffset.UtcNow, 1, 20m, "web")).Dispose();
        using var seller = await new FlashSaleCrowd([system.A.Address], shop).ClientAsync(system.A.Address, "seller", "seller", default);
        await Eventually.TrueAsync(async () => (await seller.GetFromJsonAsync<JsonElement>($"api/reports/metrics?shopId={shop}")).GetProperty("totalOrders").GetInt32() == 3,
            Deadline, because: "the orders are projected");

        await using var dashboard = await Dashboard.OpenAsync(system.A.Address, shop);
        await dashboard.WaitForTextAsync("[data-testid=revenue]", "140.00");   // 30 days by default

        await dashboard.Page.ClickAsync("button[data-days='7']");
        await dashboard.WaitForTextAsync("[data-testid=revenue]", "20.00");
        Assert.Equal("1", await dashboard.Page.TextContentAsync("[data-testid=orders]"));
        Assert.Contains("compared with", await dashboard.Page.TextContentAsync("[data-testid=period]"), StringComparison.Ordinal);
        await dashboard.WaitForTextAsync("[data-testid=revenue-change]", "▼ 50.0% vs THB 40.00");   // the 7 days before: the 40.00 order

        await dashboard.Page.FillAsync("#from", today.AddDays(-22).ToString("yyyy-MM-dd"));
        await dashboard.Page.FillAsync("#to", today.AddDays(-18).ToString("yyyy-MM-dd"));
        await dashboard.Page.ClickAsync("#apply-custom");
        await dashboard.WaitForTextAsync("[data-testid=revenue]", "80.00");
        await dashboard.WaitForTextAsync("[data-testid=platforms]", "lazada");

        await dashboard.Page.ClickAsync("button[data-days='90']");
        await dashboard.WaitForTextAsync("[data-testid=revenue]", "140.00");
        Assert.Equal("3", await dashboard.Page.TextContentAsync("[data-testid=orders]"));
        dashboard.AssertNoErrors();
    }

    [BrowserFact]
    public async Task AnEmptyShop_SaysThereIsNothingYet_InsteadOfBlankPanels()
    {
        await using var dashboard = await Dashboard.OpenAsync(system.A.Address, TestNames.Unique("shop"));
        await dashboard.WaitForTextAsync("[data-testid=revenue]", "0.00");

        foreach (var empty in new[] { "[data-testid=sales-empty]", "#platforms-panel .empty", "#top-panel .empty", "#sales-live-panel .empty" })
        {
            await dashboard.Page.WaitForSelectorAsync(empty, new() { State = WaitForSelectorState.Visible, Timeout = (float)Deadline.TotalMilliseconds });
        }

        Assert.Equal(0, await dashboard.Page.Locator(".failure").CountAsync());
        dashboard.AssertNoErrors();
    }

    [BrowserFact]
    public async Task AnExpiredSession_SaysSo_AndOffersToSignInAgain()
    {
        var shop = TestNames.Unique("shop");
        await using var dashboard = await Dashboard.OpenAsync(system.A.Address, shop);

        // A token the host no longer accepts (expired, or signed with a rotated key): every call answers 401.
        await dashboard.Page.EvaluateAsync($$"""() => sessionStorage.setItem("commerce-token", JSON.stringify({ token: "expired.token.value", shopId: "{{shop}}", userId: "seller-1", expiresAt: new Date(Date.now() + 3600000).toISOString() }))""");
        await dashboard.Page.ReloadAsync();

        await dashboard.WaitForTextAsync("[data-testid=banner]", "expired");
        await dashboard.Page.ClickAsync("#banner-action");
        Assert.True(await dashboard.Page.IsVisibleAsync("#signin"));
    }

    [BrowserFact]
    public async Task APopulatedShop_FillsEveryPanel_AndAFlashSalesStockAndQueueMoveLive()
    {
        var shop = TestNames.Unique("shop");
        await using var simulator = await Simulated.StartAsync(system.Postgres, system.A.Address, shop, seed: 11);
        var products = simulator.Model.CreateCatalogue(12);
        var history = simulator.Model.CreateHistory(days: 60, perDay: 6);
        await simulator.Storefront.SyncAsync(products, history, ordersPerBatch: 200);
        var crowd = new FlashSaleCrowd([system.A.Address], shop);
        using var admin = await crowd.ClientAsync(system.A.Address, "admin", "admin", default);
        var counted = history.Count(o => o.Counts && o.CreatedAt >= DateTimeOffset.UtcNow.AddDays(-89));
        await Eventually.TrueAsync(async () => (await admin.GetFromJsonAsync<JsonElement>($"api/reports/metrics?shopId={shop}&start={DateTime.UtcNow.AddDays(-120):yyyy-MM-dd}")).GetProperty("totalOrders").GetInt32() >= counted,
            Deadline, because: "the history is projected");
        var now = DateTimeOffset.UtcNow;
        using (var created = await admin.PostAsJsonAsync("api/v1/flash-sales", new { shopId = shop, name = "Midnight madness", startsAt = now.AddSeconds(-1), endsAt = now.AddHours(2), items = new[] { new { productId = products[0].ProductId, stock = 5, price = 99m, perUserLimit = 3 } }, waitingRoom = new { admissionsPerSecond = 100, admissionSeconds = 120 } }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await using var dashboard = await Dashboard.OpenAsync(system.A.Address, shop, width: 1400, height: 1500);
        await dashboard.Page.ClickAsync("button[data-days='90']");
        foreach (var rows in new[] { "[data-testid=platforms] tr", "[data-testid=top-products] tr", "[data-testid=flash-sales] li" })
        {
            await dashboard.Page.WaitForSelectorAsync(rows, new() { Timeout = (float)Deadline.TotalMilliseconds });
        }

        var fees = history.Where(o => o.Counts && o.CreatedAt >= DateTimeOffset.UtcNow.AddDays(-89)).Sum(o => o.PlatformFee);
        Assert.True(fees > 0, "the simulator's marketplaces charge fees");
        await dashboard.WaitForTextAsync("[data-testid=fees]", fees.ToString("N2", System.Globalization.CultureInfo.GetCultureInfo("en-US")));
        await dashboard.WaitForTextAsync("[data-testid=flash-sales]", "5 of 5 left");
        using var shopper = await crowd.ClientAsync(system.A.Address, "shopper-s", "shopper", default);
        var saleId = (await admin.GetFromJsonAsync<JsonElement>($"api/v1/flash-sales?shopId={shop}")).GetProperty("items")[0].GetProperty("id").GetGuid();
        using var queued = await shopper.PostAsync($"api/v1/flash-sales/{saleId}/queue", null);
        var admission = (await queued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("admissionToken").GetString();
        using (var reserved = await shopper.PostAsJsonAsync($"api/v1/flash-sales/{saleId}/reserve", new { productId = products[0].ProductId, quantity = 2, admissionToken = admission }))
        {
            Assert.Equal(HttpStatusCode.Created, reserved.StatusCode);
        }

        await dashboard.WaitForTextAsync("[data-testid=flash-sales]", "3 of 5 left");
        await dashboard.WaitForTextAsync("[data-testid=flash-sales]", "queue: 0 waiting, 1 admitted");
        Assert.Equal(0, await dashboard.Page.Locator(".failure").CountAsync());
        await dashboard.Page.WaitForTimeoutAsync(300);   // let the chart finish drawing before the picture
        await dashboard.Page.ScreenshotAsync(new() { Path = Dashboard.ScreenshotPath("dashboard.png"), FullPage = true });
        dashboard.AssertNoErrors();
    }

    private Task<HttpResponseMessage> PostOrderAsync(string shop, string orderId, DateTimeOffset at, int quantity, decimal unitPrice, string platform, Uri? via = null)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            type = "orders.created",
            timestamp = at,
            data = new
            {
                shopId = shop, orderId, platform, status = "paid", currency = "THB", createdAt = at, updatedAt = at,
                lines = new[] { new { productId = "p-1", quantity, unitPrice, unitCost = unitPrice / 2 } },
            },
        });
        return SystemTests.PostSignedAsync(via ?? system.A.Address, "api/webhooks/orders/created", $"browser-{shop}-{orderId}", body);
    }
}
