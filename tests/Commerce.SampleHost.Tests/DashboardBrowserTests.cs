using System.Net;
using System.Text.Json;
using Commerce.Testing;
using Microsoft.Playwright;
using Xunit;

namespace Commerce.SampleHost.Tests;

/// <summary>The dashboard in a real headless browser: signing in, and a webhook changing the numbers on screen.</summary>
public sealed class DashboardBrowserTests(SystemFixture system) : IClassFixture<SystemFixture>
{
    [BrowserFact]
    public async Task AWebhookReceivedByTheOtherInstance_ChangesTheNumbersOnScreen_WithoutAReload()
    {
        var shop = TestNames.Unique("shop");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { Locale = "en-US" });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);

        await page.GotoAsync(system.A.Address.ToString());
        await page.FillAsync("#shop-input", shop);
        await page.ClickAsync("#signin-button");
        await page.WaitForFunctionAsync("() => document.querySelector('#live').textContent === 'live'", null, new() { Timeout = 30_000 });
        Assert.Equal("0.00", await page.TextContentAsync("[data-testid=revenue]"));
        Assert.Equal("0", await page.TextContentAsync("[data-testid=orders]"));

        var now = DateTimeOffset.UtcNow;
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            type = "orders.created",
            timestamp = now,
            data = new
            {
                shopId = shop, orderId = "o-1", platform = "shopee", status = "paid", currency = "THB", createdAt = now, updatedAt = now,
                lines = new[] { new { productId = "p-1", quantity = 2, unitPrice = 50.00m, unitCost = 30.00m } },
            },
        });
        using var response = await SystemTests.PostSignedAsync(system.B.Address, "api/webhooks/orders/created", "browser-" + shop, body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=revenue]').textContent === '100.00'", null, new() { Timeout = 30_000 });
        Assert.Equal("1", await page.TextContentAsync("[data-testid=orders]"));
        Assert.Contains("shopee", await page.TextContentAsync("#platforms"), StringComparison.Ordinal);
        Assert.Empty(errors);
    }
}
