using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Commerce.StoreSimulator;
using Commerce.Testing;
using Commerce.Webhooks;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit;

namespace Commerce.SampleHost.Tests;

/// <summary>
/// The whole system: two instances of the sample host on one Redis and one PostgreSQL, fed by the store simulator.
/// </summary>
public sealed class SystemTests(SystemFixture system) : IClassFixture<SystemFixture>
{
    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Reports_EqualTheSimulatorsTotals_DespiteDuplicatesAndReordering_AndInvalidateOnEveryInstance()
    {
        var shop = TestNames.Unique("shop");
        await using var simulator = await Simulated.StartAsync(system.Postgres, system.A.Address, shop, seed: 7);
        var crowd = new FlashSaleCrowd([system.A.Address, system.B.Address], shop);
        using var sellerOnB = await crowd.ClientAsync(system.B.Address, "seller", "seller", default);
        var all = $"start={DateTime.UtcNow.AddYears(-1):yyyy-MM-dd}&end={DateTime.UtcNow.AddDays(2):yyyy-MM-dd}";

        // B caches the empty shop's metrics now; webhooks arriving at A must invalidate B's copy.
        var empty = await sellerOnB.GetFromJsonAsync<JsonElement>($"api/reports/metrics?shopId={shop}&{all}");
        Assert.Equal(0, empty.GetProperty("totalOrders").GetInt32());

        var products = simulator.Model.CreateCatalogue(20);
        var history = simulator.Model.CreateHistory(days: 20, perDay: 15);
        await simulator.Storefront.SyncAsync(products, history, ordersPerBatch: 100);
        for (var i = 0; i < 80; i++)
        {
            if (i % 3 == 0 && simulator.Model.AdvanceOrder() is { } advanced)
            {
                await simulator.Storefront.StatusAsync(advanced);
                // A stale copy of the same order sent after it (an older version): must change nothing.
                await simulator.Storefront.StatusAsync(advanced with { Status = "pending", UpdatedAt = advanced.UpdatedAt.AddMinutes(-5) });
            }
            else if (i % 7 == 0)
            {
                await simulator.Storefront.InventoryAsync(simulator.Model.ChangeStock());
            }
            else if (i % 5 == 0 && simulator.Model.RefundPart() is { } refund)
            {
                // A partial refund, booked as returns today; the storefront sends it twice (two deliveries, one refund id).
                await simulator.Storefront.RefundAsync(refund.Order, refund.Refund, messageId: $"refund-{refund.Refund.RefundId}");
                await simulator.Storefront.RefundAsync(refund.Order, refund.Refund, messageId: $"refund-{refund.Refund.RefundId}-resent");
            }
            else
            {
                var order = simulator.Model.PlaceOrder();
                await simulator.Storefront.OrderAsync(order, created: true, messageId: $"order-{order.OrderId}");
                // The same webhook again (same id): acknowledged as a duplicate by the inbox.
                await simulator.Storefront.OrderAsync(order, created: true, messageId: $"order-{order.OrderId}-again");
            }
        }

        // And a byte-identical redelivery straight to the other instance: 200, a duplicate.
        var body = JsonSerializer.SerializeToUtf8Bytes(new { type = "orders.status_changed", timestamp = DateTimeOffset.UtcNow, data = new { shopId = shop, orderId = history[0].OrderId, status = "pending", updatedAt = DateTimeOffset.UtcNow.AddYears(-5) } });
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var duplicate = await PostSignedAsync(system.B.Address, "api/webhooks/orders/status-changed", "redelivered-1", body);
            Assert.Equal(attempt == 0 ? HttpStatusCode.Accepted : HttpStatusCode.OK, duplicate.StatusCode);
        }

        var expected = simulator.Model.Expected(DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        JsonElement metrics = default;
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                metrics = await sellerOnB.GetFromJsonAsync<JsonElement>($"api/reports/metrics?shopId={shop}&{all}");
                return metrics.GetProperty("totalOrders").GetInt32() == expected.Orders && metrics.GetProperty("totalRevenue").GetDecimal() == expected.Revenue
                    && metrics.GetProperty("returns").GetDecimal() == expected.Returns;
            }, TimeSpan.FromSeconds(90), because: "every webhook is delivered, projected, and B's cached report invalidated");
        }
        catch (Xunit.Sdk.XunitException)
        {
            // Say what B showed last against what the simulator sent.
            Assert.Equal((expected.Orders, expected.Revenue, expected.Returns), (metrics.GetProperty("totalOrders").GetInt32(), metrics.GetProperty("totalRevenue").GetDecimal(), metrics.GetProperty("returns").GetDecimal()));
            throw;
        }

        Assert.Equal(expected.Revenue, metrics.GetProperty("totalRevenue").GetDecimal());
        Assert.Equal(expected.Profit, metrics.GetProperty("totalProfit").GetDecimal());
        Assert.True(expected.Returns > 0, "the simulator refunded orders, fully and in part");
        Assert.Equal(expected.Returns, metrics.GetProperty("returns").GetDecimal());

        var platforms = await sellerOnB.GetFromJsonAsync<JsonElement>($"api/reports/platform-comparison?shopId={shop}&{all}");
        Assert.Equal(expected.Revenue, platforms.GetProperty("platforms").EnumerateArray().Sum(p => p.GetProperty("revenue").GetDecimal()));
        var sales = await sellerOnB.GetFromJsonAsync<JsonElement>($"api/reports/sales-summary?shopId={shop}&{all}&interval=week");
        Assert.Equal(expected.Orders, sales.EnumerateArray().Sum(p => p.GetProperty("orders").GetInt32()));
        Assert.Equal(expected.Revenue, sales.EnumerateArray().Sum(p => p.GetProperty("revenue").GetDecimal()));
        var profit = await sellerOnB.GetFromJsonAsync<JsonElement>($"api/reports/profit-analysis?shopId={shop}&{all}");
        Assert.Equal(expected.Profit, profit.GetProperty("grossProfit").GetDecimal());
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task AFlashSaleHammeredThroughBothInstances_IsNeverOversold()
    {
        var shop = TestNames.Unique("shop");
        var result = await new FlashSaleCrowd([system.A.Address, system.B.Address], shop).RunAsync(stock: 40, shoppers: 150, attemptsPerShopper: 3, perUserLimit: 2);

        Assert.True(result.Held + result.Confirmed <= result.Stock, $"held {result.Held} + confirmed {result.Confirmed} > stock {result.Stock}");
        Assert.Equal(result.Stock, result.Available + result.Held + result.Confirmed);
        Assert.Equal(result.UnitsReserved, result.Held);
        Assert.True(result.Held >= result.Stock - 1, "stock is not reported sold out while units remain (one unit may be left when every request wants two)");
        Assert.True(result.SoldOut > 0);
        Assert.Equal(0, result.Other);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task ACrowdQueuedInAWaitingRoom_IsAdmittedAtTheRate_AndTheSaleIsNeverOversold()
    {
        var shop = TestNames.Unique("shop");
        var result = await new FlashSaleCrowd([system.A.Address, system.B.Address], shop)
            .RunAsync(stock: 30, shoppers: 120, attemptsPerShopper: 1, perUserLimit: 1, admissionsPerSecond: 40);

        // half the shoppers ask for two units against a limit of one (422): the others buy one each
        Assert.Equal((result.Stock, 0), (result.Held, result.Available));
        Assert.Equal(120, result.Queue.Admitted + result.Queue.SoldOutWaiting); // every shopper is admitted or told sold out
        Assert.True(result.Queue.SoldOutWaiting > 0, "shoppers still waiting at the sell-out are told so");
        Assert.Equal(0, result.Other); // no shopper was refused as not admitted, nor got an error
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task ANotificationCreatedThroughOneInstance_ReachesAClientOnTheOther_AndRoomEventsReachTheDashboard()
    {
        var shop = TestNames.Unique("shop");
        var crowd = new FlashSaleCrowd([system.A.Address], shop);
        using var admin = await crowd.ClientAsync(system.A.Address, "admin", "admin", default);
        using var shopper = await crowd.ClientAsync(system.A.Address, "shopper-x", "shopper", default);
        var token = shopper.DefaultRequestHeaders.Authorization!.Parameter!;
        var notifications = new List<JsonElement>();
        var roomEvents = new List<JsonElement>();
        await using var onB = new HubConnectionBuilder().WithUrl(new Uri(system.B.Address, "hubs/notifications"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token)).Build();
        onB.On<JsonElement>("notification", n => { lock (notifications) { notifications.Add(n); } });
        onB.On<JsonElement>("roomEvent", e => { lock (roomEvents) { roomEvents.Add(e); } });
        await onB.StartAsync();
        await onB.InvokeAsync("JoinRoom", $"shop:{shop}");
        await Assert.ThrowsAsync<HubException>(() => onB.InvokeAsync("JoinRoom", "shop:someone-else"));

        var now = DateTimeOffset.UtcNow;
        using var created = await admin.PostAsJsonAsync("api/v1/flash-sales", new { shopId = shop, name = "n", startsAt = now.AddSeconds(-1), endsAt = now.AddHours(1), items = new[] { new { productId = "p1", stock = 5, price = 1m, perUserLimit = 2 } } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var saleId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var reserved = await shopper.PostAsJsonAsync($"api/v1/flash-sales/{saleId}/reserve", new { productId = "p1", quantity = 1 });
        Assert.Equal(HttpStatusCode.Created, reserved.StatusCode);

        await Eventually.TrueAsync(() => { lock (notifications) { return notifications.Any(n => n.GetProperty("type").GetString() == "reservation_reserved"); } },
            TimeSpan.FromSeconds(30), because: "the reservation made through A becomes a notification on the client connected to B");

        await using var simulator = await Simulated.StartAsync(system.Postgres, system.A.Address, shop, seed: 3);
        simulator.Model.CreateCatalogue(3);
        await simulator.Storefront.OrderAsync(simulator.Model.PlaceOrder(), created: true);
        await Eventually.TrueAsync(() => { lock (roomEvents) { return roomEvents.Any(e => e.GetProperty("type").GetString() == "dashboard_update"); } },
            TimeSpan.FromSeconds(30), because: "a webhook received by A refreshes a dashboard connected to B");
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task AFlashSaleRedisLost_Answers503WithRetryAfter_UntilItIsRebuilt_AndItsRoomShowsLiveStock()
    {
        var shop = TestNames.Unique("shop");
        var crowd = new FlashSaleCrowd([system.A.Address], shop);
        using var admin = await crowd.ClientAsync(system.A.Address, "admin", "admin", default);
        using var shopper = await crowd.ClientAsync(system.A.Address, "shopper-y", "shopper", default);
        var now = DateTimeOffset.UtcNow;
        using var created = await admin.PostAsJsonAsync("api/v1/flash-sales", new { shopId = shop, name = "n", startsAt = now.AddSeconds(-1), endsAt = now.AddHours(1), items = new[] { new { productId = "p1", stock = 5, price = 1m, perUserLimit = 5 } } });
        var saleId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        // Anyone signed in follows the sale live on the other instance, and may read it.
        var token = shopper.DefaultRequestHeaders.Authorization!.Parameter!;
        var stock = new List<JsonElement>();
        await using var onB = new HubConnectionBuilder().WithUrl(new Uri(system.B.Address, "hubs/notifications"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token)).Build();
        onB.On<JsonElement>("roomEvent", e => { lock (stock) { stock.Add(e); } });
        await onB.StartAsync();
        await onB.InvokeAsync("JoinRoom", $"flash_sale:{saleId}");
        Assert.Equal(HttpStatusCode.OK, (await shopper.GetAsync($"api/v1/flash-sales/{saleId}")).StatusCode);
        using (var first = await shopper.PostAsJsonAsync($"api/v1/flash-sales/{saleId}/reserve", new { productId = "p1", quantity = 2 }))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        await Eventually.TrueAsync(() =>
        {
            lock (stock)
            {
                return stock.Any(e => e.GetProperty("type").GetString() == "flash_sale_stock"
                    && e.GetProperty("data").GetProperty("items")[0].GetProperty("available").GetInt32() == 3);
            }
        }, TimeSpan.FromSeconds(30), because: "the reservation through A shows as live stock in the sale's room on B");

        // The hold is journaled to PostgreSQL in the background; once it is there, a Redis loss can't lose it.
        await using (var db = Npgsql.NpgsqlDataSource.Create(system.Postgres))
        {
            await Eventually.TrueAsync(async () =>
            {
                await using var command = db.CreateCommand("select count(*) from flash_sale.reservations where sale_id = $1 and state = 'reserved'");
                command.Parameters.AddWithValue(saleId);
                return (long)(await command.ExecuteScalarAsync())! == 1;
            }, TimeSpan.FromSeconds(30), because: "the hold reaches the journal");
        }

        // Redis loses the sale.
        await using (var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(system.Redis + ",allowAdmin=true"))
        {
            foreach (var key in redis.GetServers()[0].Keys(pattern: $"commerce:fs:{{{saleId:N}}}:*"))
            {
                await redis.GetDatabase().KeyDeleteAsync(key);
            }
        }

        var answers = new List<HttpStatusCode>();
        await Eventually.TrueAsync(async () =>
        {
            using var reserve = await shopper.PostAsJsonAsync($"api/v1/flash-sales/{saleId}/reserve", new { productId = "p1", quantity = 1 });
            answers.Add(reserve.StatusCode);
            if (reserve.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Assert.NotNull(reserve.Headers.RetryAfter);
                Assert.Equal("application/problem+json", reserve.Content.Headers.ContentType!.MediaType);
            }

            return reserve.StatusCode == HttpStatusCode.Created;
        }, TimeSpan.FromSeconds(30), because: "the sale is rebuilt from PostgreSQL by itself and sells again");
        Assert.True(!answers.Contains(HttpStatusCode.NotFound) && answers.Contains(HttpStatusCode.ServiceUnavailable), $"answers while the sale was rebuilt: {string.Join(", ", answers)}");
        var sale = await shopper.GetFromJsonAsync<JsonElement>($"api/v1/flash-sales/{saleId}");
        Assert.Equal(2, sale.GetProperty("items")[0].GetProperty("available").GetInt32()); // the first hold survived: it had reached PostgreSQL
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task AnInstanceStartingAfterShopsSold_WarmsTheirDashboardsInTheBackground()
    {
        var shop = TestNames.Unique("shop");
        var analytics = system.A.Services.GetRequiredService<Commerce.Analytics.IAnalyticsReports>();
        await using (var simulator = await Simulated.StartAsync(system.Postgres, system.A.Address, shop, seed: 11))
        {
            var products = simulator.Model.CreateCatalogue(5);
            await simulator.Storefront.SyncAsync(products, simulator.Model.CreateHistory(days: 5, perDay: 4), ordersPerBatch: 50);
            // The simulator's outbox delivers in the background: keep it running until the host has the sales.
            await Eventually.TrueAsync(async () => (await analytics.GetActiveShopsAsync(30, 1_000)).Contains(shop), TimeSpan.FromSeconds(60));
        }

        await using var c = await HostInstance.StartAsync(system.Redis, system.Postgres); // a deploy: a new instance
        var cache = c.Services.GetRequiredService<Commerce.Caching.CommerceCache>();
        // The shop's day may turn while the warm-up runs: its key is that of the day it read (today, or yesterday by now).
        async Task<bool> MetricsWarmedAsync()
        {
            var today = await analytics.GetTodayAsync(shop);
            foreach (var day in new[] { today, today.AddDays(-1) })
            {
                if ((await cache.TryGetAsync<ReportCache.Metrics>(ReportCache.MetricsKey(ReportCache.DefaultRange(shop, day)), ReportCache.Scope(shop))).HasValue)
                {
                    return true;
                }
            }

            return false;
        }

        await Eventually.TrueAsync(async () =>
            await MetricsWarmedAsync()
            && (await cache.TryGetAsync<ReportCache.ShelfDashboard>(ReportCache.ShelfKey(shop), ReportCache.Scope(shop))).HasValue
            && cache.Status.WarmedEntries >= 2,   // the warm-up counts its entries after it stored them
            TimeSpan.FromSeconds(60), because: "the new instance warms the dashboards of shops with recent sales after it starts");
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Errors_AreProblemDetails_AndAccessIsPerShop()
    {
        using var anonymous = new HttpClient { BaseAddress = system.A.Address };
        using var unauthorized = await anonymous.GetAsync("api/reports/metrics?shopId=shop-1");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);

        using var seller = await new FlashSaleCrowd([system.A.Address], "shop-a").ClientAsync(system.A.Address, "seller", "seller", default);
        using var forbidden = await seller.GetAsync("api/smart-shelf/at-risk/shop-b");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType!.MediaType);
        using var notAdmin = await seller.PostAsJsonAsync("api/v1/flash-sales", new { shopId = "shop-a", name = "x", startsAt = DateTimeOffset.UtcNow, endsAt = DateTimeOffset.UtcNow.AddHours(1), items = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        using var badInterval = await seller.GetAsync("api/reports/sales-summary?shopId=shop-a&interval=fortnight");
        Assert.Equal(HttpStatusCode.BadRequest, badInterval.StatusCode);
        Assert.Equal("application/problem+json", badInterval.Content.Headers.ContentType!.MediaType);

        var body = Encoding.UTF8.GetBytes("""{"type":"orders.created","timestamp":"2026-01-01T00:00:00Z","data":{}}""");
        using var forged = await PostSignedAsync(system.A.Address, "api/webhooks/orders/created", "forged-1", body, WebhookSecret.Generate().Export() /* a valid secret, not the shop's */);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal("application/problem+json", forged.Content.Headers.ContentType!.MediaType);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("openapi/v1.json")).StatusCode);
        Assert.Contains("signalr", await anonymous.GetStringAsync("lib/signalr.min.js"), StringComparison.OrdinalIgnoreCase);
    }

    internal static async Task<HttpResponseMessage> PostSignedAsync(Uri host, string path, string id, byte[] body, string secret = HostInstance.Secret)
    {
        using var client = new HttpClient { BaseAddress = host };
        var now = DateTimeOffset.UtcNow;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", StandardWebhookSigner.Sign(id, now, body, WebhookSecret.Parse(secret)));
        return await client.SendAsync(request);
    }
}
