using Microsoft.Playwright;
using Xunit;

namespace Commerce.SampleHost.Tests;

/// <summary>The dashboard open in headless Chromium, signed in to a shop and live; collects the page's script errors.</summary>
public sealed class Dashboard : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly List<string> _errors = [];

    private Dashboard(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        page.PageError += (_, e) => { lock (_errors) { _errors.Add(e); } };
    }

    public IPage Page { get; }

    public static async Task<Dashboard> OpenAsync(Uri host, string shop, int width = 1280, int height = 900)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { Locale = "en-US", TimezoneId = "Asia/Bangkok", ViewportSize = new() { Width = width, Height = height } });
        var dashboard = new Dashboard(playwright, browser, page);
        await page.GotoAsync(host.ToString());
        await page.FillAsync("#shop-input", shop);
        await page.ClickAsync("#signin-button");
        await page.WaitForFunctionAsync("() => document.querySelector('#live').textContent === 'live'", null, new() { Timeout = 30_000 });
        return dashboard;
    }

    /// <summary>Waits until the element's text (spaces normalised) contains <paramref name="text"/>.</summary>
    public async Task WaitForTextAsync(string selector, string text)
    {
        try
        {
            await Page.WaitForFunctionAsync(
                "([s, t]) => (document.querySelector(s)?.textContent ?? '').replace(/\\s+/g, ' ').includes(t)",
                new[] { selector, text }, new() { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"'{selector}' never showed '{text}'; it shows '{await Page.TextContentAsync(selector)}'.");
        }
    }

    public void AssertNoErrors()
    {
        lock (_errors)
        {
            Assert.Empty(_errors);
        }
    }

    /// <summary>artifacts/screenshots/{name} under the repository (docs/dashboard.png is a copy of the last one).</summary>
    public static string ScreenshotPath(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Commerce.sln")))
        {
            dir = dir.Parent;
        }

        var folder = Path.Combine(dir?.FullName ?? Path.GetTempPath(), "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
