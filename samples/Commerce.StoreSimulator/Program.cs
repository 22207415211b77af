// The store simulator: plays a seller's storefront against the Commerce host.
//   dotnet run --project samples/Commerce.StoreSimulator -- [--host http://localhost:3000[,http://localhost:3001]]
//       [--shop shop-1] [--products 40] [--days 90] [--per-day 30] [--rate 2] [--duration 0] [--crowd 0] [--queue 0]
// It registers the host as a webhook endpoint, sends the catalogue and the history (sync.batch), then streams new
// orders, status changes, refunds and stock changes at --rate events/s for --duration seconds (0: until Ctrl+C),
// printing what the dashboard should show. --crowd N sends N shoppers at a flash sale through every host; with
// --queue R the sale has a waiting room admitting R shoppers per second, and the crowd queues before the start.
using Commerce.StoreSimulator;
using Commerce.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var settings = new ConfigurationBuilder().AddCommandLine(args).AddEnvironmentVariables().Build();
var hosts = (settings["host"] ?? "http://localhost:3000").Split(',').Select(h => new Uri(h.TrimEnd('/') + "/")).ToList();
var shop = settings["shop"] ?? "shop-1";
var secret = settings["secret"] ?? "whsec_ZGV2ZWxvcG1lbnQtb25seS13ZWJob29rLXNlY3JldA==";   // appsettings.Development.json of the host
var postgres = settings["ConnectionStrings:Postgres"] ?? "Host=localhost;Username=postgres;Password=postgres;Database=commerce";
int Int(string name, int fallback) => int.TryParse(settings[name], out var v) ? v : fallback;

// Ctrl+C and SIGTERM (docker stop, systemd, a test) end the run at once: what was sent is in the outbox and is
// delivered on the next run.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning);
builder.Services.AddCommerceWebhooks(o =>
{
    o.Schema = "store_simulator";               // the storefront's own outbox
    o.RunInboxProcessor = false;
    o.Sender.AllowPrivateNetworks = true;       // the host is on localhost
    o.Sender.PollInterval = TimeSpan.FromMilliseconds(200);
}).WithPostgres(postgres);
using var app = builder.Build();
await app.StartAsync(cancel.Token);

// The seed is the shop's by default, so the history's order ids are too: a second run replaces the shop's history
// instead of adding another one; live orders get ids of this run.
var model = new StoreModel(shop, Int("seed", StableSeed(shop))) { LiveRun = ((uint)Environment.TickCount).ToString("x8", System.Globalization.CultureInfo.InvariantCulture) };
var storefront = new Storefront(app.Services.GetRequiredService<Commerce.Webhooks.IWebhookSender>(), model);
try
{
    await storefront.ConnectAsync(new Uri(hosts[0], "api/webhooks/"), secret, cancel.Token);

    var products = model.CreateCatalogue(Int("products", 40));
    var history = model.CreateHistory(Int("days", 90), Int("per-day", 30));
    await storefront.SyncAsync(products, history, ct: cancel.Token);
    Console.WriteLine($"shop {shop}: synced {products.Count} products and {history.Count} orders over {Int("days", 90)} days to {hosts[0]}");
    Console.WriteLine($"  (the history's ids are the shop's: running again replaces it rather than adding to it; --shop another-name starts a fresh shop)");
    Report();

    if (Int("crowd", 0) is > 0 and var shoppers)
    {
        var result = await new FlashSaleCrowd(hosts, shop).RunAsync(stock: Math.Max(10, shoppers / 4), shoppers, ct: cancel.Token, admissionsPerSecond: Int("queue", 0));
        Console.WriteLine($"flash sale {result.SaleId}: stock {result.Stock}; {result.Attempts} attempts by {shoppers} shoppers through {hosts.Count} host(s): "
            + $"{result.Reserved} reserved ({result.UnitsReserved} units), {result.SoldOut} sold out, {result.LimitExceeded} over the limit, {result.RateLimited} rate limited, {result.Other} other; "
            + $"now available {result.Available}, held {result.Held}, confirmed {result.Confirmed} — oversold: {(result.Held + result.Confirmed > result.Stock ? "YES" : "no")}"
            + (Int("queue", 0) > 0 ? $"; waiting room: {result.Queue.Admitted} admitted, {result.Queue.SoldOutWaiting} told sold out while waiting" : ""));
    }
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
}

var rate = Math.Max(0.1, Int("rate", 2));
var duration = Int("duration", 0);
var until = duration > 0 ? DateTimeOffset.UtcNow.AddSeconds(duration) : DateTimeOffset.MaxValue;
var random = new Random();
var lastReport = DateTimeOffset.UtcNow;
try
{
    while (DateTimeOffset.UtcNow < until && !cancel.IsCancellationRequested)
    {
        switch (random.Next(10))
        {
            case < 5: await storefront.OrderAsync(model.PlaceOrder(), created: true, ct: cancel.Token); break;
            case < 8:
                if (model.AdvanceOrder() is { } order)
                {
                    await storefront.StatusAsync(order, ct: cancel.Token);
                }

                break;
            case 8:
                if (model.RefundPart() is { } refund)
                {
                    await storefront.RefundAsync(refund.Order, refund.Refund, ct: cancel.Token);
                }

                break;
            default: await storefront.InventoryAsync(model.ChangeStock(), cancel.Token); break;
        }

        if (DateTimeOffset.UtcNow - lastReport > TimeSpan.FromSeconds(10))
        {
            lastReport = DateTimeOffset.UtcNow;
            Report();
        }

        await Task.Delay(TimeSpan.FromSeconds(1 / rate), cancel.Token);
    }
}
catch (OperationCanceledException)
{
}

if (!cancel.IsCancellationRequested)
{
    await Task.Delay(TimeSpan.FromSeconds(2));   // let the outbox deliver the last ones (stopped: the next run does)
}

Report();
using (var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(500)))
{
    await app.StopAsync(stop.Token);
}

static int StableSeed(string shop)
{
    var hash = 2166136261u;   // FNV-1a: the same on every machine and run, unlike string.GetHashCode
    foreach (var c in shop)
    {
        hash = (hash ^ c) * 16777619u;
    }

    return (int)hash;
}

void Report()
{
    var now = DateTimeOffset.UtcNow;
    var all = model.Expected(DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
    Console.WriteLine($"sent {storefront.Sent} webhooks; this run's orders should add net sales {all.Revenue:N2} {model.Currency} (after {all.Returns:N2} returns), orders {all.Orders}, gross profit {all.Profit:N2} (after {all.PlatformFees:N2} platform fees), units {all.Units}");
}
