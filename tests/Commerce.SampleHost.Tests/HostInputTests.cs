using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Commerce.StoreSimulator;
using Commerce.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Commerce.SampleHost.Tests;

/// <summary>
/// What a storefront, a client or an operator gets when they send the host something it can't use: a clear answer at
/// the door (ProblemDetails with field errors, never a stack trace), and nothing half-stored.
/// </summary>
public sealed class HostInputTests(SystemFixture system) : IClassFixture<SystemFixture>
{
    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task AWebhookWhoseTypeContradictsItsRoute_IsRefusedAtTheDoor_NotParkedDeadLater()
    {
        foreach (var type in new[] { "order.created", "orders.updated" })
        {
            var body = Encoding.UTF8.GetBytes($$$"""{"type":"{{{type}}}","timestamp":"2026-01-01T00:00:00Z","data":{"shopId":"s1","orderId":"o1","platform":"web","status":"paid","currency":"THB","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z","lines":[]}}""");
            using var response = await SystemTests.PostSignedAsync(system.A.Address, "api/webhooks/orders/created", TestNames.Unique("msg"), body);

            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var problem = await ProblemAsync(response);
            Assert.Contains("orders.created", problem.GetProperty("errors").GetProperty("type")[0].GetString(), StringComparison.Ordinal);
        }
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task AWebhookWhosePayloadTheProjectionCannotUse_IsRefusedAtTheDoor_WithFieldErrors()
    {
        var empty = Encoding.UTF8.GetBytes("""{"type":"orders.created","timestamp":"2026-01-01T00:00:00Z","data":{}}""");
        using var response = await SystemTests.PostSignedAsync(system.A.Address, "api/webhooks/orders/created", TestNames.Unique("msg"), empty);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = (await ProblemAsync(response)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("data.shopId", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("data.orderId", out _), errors.ToString());

        var noShop = Encoding.UTF8.GetBytes("""{"type":"inventory.updated","timestamp":"2026-01-01T00:00:00Z","data":{"productId":"p1","stock":3,"updatedAt":"2026-01-01T00:00:00Z"}}""");
        using var inventory = await SystemTests.PostSignedAsync(system.A.Address, "api/webhooks/inventory/updated", TestNames.Unique("msg"), noShop);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, inventory.StatusCode);
        Assert.True((await ProblemAsync(inventory)).GetProperty("errors").TryGetProperty("data.shopId", out _));

        var notJson = Encoding.UTF8.GetBytes("{not json");
        using var broken = await SystemTests.PostSignedAsync(system.A.Address, "api/webhooks/orders/created", TestNames.Unique("msg"), notJson);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, broken.StatusCode);
        await ProblemAsync(broken);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task APartialRefundThatReturnsNothingUsable_IsRefusedAtTheDoor_NamingTheLine()
    {
        var body = Encoding.UTF8.GetBytes("""{"type":"orders.refunded","timestamp":"2026-01-01T00:00:00Z","data":{"shopId":"s","orderId":"o1","refundId":"r1","refundedAt":"2026-01-02T00:00:00Z","lines":[{"productId":"p1","quantity":"one"}],"shipping":-5}}""");
        using var response = await SystemTests.PostSignedAsync(system.A.Address, "api/webhooks/orders/refunded", TestNames.Unique("msg"), body);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = (await ProblemAsync(response)).GetProperty("errors");
        foreach (var field in new[] { "data.lines[0].quantity", "data.lines[0].amount", "data.shipping" })
        {
            Assert.True(errors.TryGetProperty(field, out _), errors.ToString());
        }
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task ABulkSyncWithAnItemTheProjectionCannotUse_IsRefusedAtTheDoor_NamingTheItem()
    {
        var body = Encoding.UTF8.GetBytes("""
            {"type":"sync.batch","timestamp":"2026-01-01T00:00:00Z","data":{"shopId":"s1",
             "products":[{"shopId":"s1","productId":"p1","name":"n","price":1,"cost":1,"stock":1,"updatedAt":"2026-01-01T00:00:00Z"},{"shopId":"s1","productId":"p2"}],
             "orders":[{"shopId":"other-shop","orderId":"o1","platform":"web","status":"lost","currency":"THB","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z",
                        "lines":[{"productId":"p1","quantity":"two","unitPrice":1,"unitCost":1}],"discount":-5,"platformFee":"high"}]}}
            """);
        using var response = await SystemTests.PostSignedAsync(system.A.Address, "api/webhooks/sync/batch", TestNames.Unique("msg"), body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = (await ProblemAsync(response)).GetProperty("errors");
        foreach (var field in new[] { "data.products[1].name", "data.products[1].updatedAt", "data.orders[0].shopId", "data.orders[0].status", "data.orders[0].lines[0].quantity", "data.orders[0].discount", "data.orders[0].platformFee" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"{field} missing in {errors}");
        }

        Assert.False(errors.TryGetProperty("data.products[0].name", out _), errors.ToString());
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task InABatchOfOrders_OneThatAnalyticsRefuses_IsParkedDeadAlone_AndTheOthersCount()
    {
        var shop = TestNames.Unique("shop");
        var now = DateTimeOffset.UtcNow;
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var discount = i == 3 ? 1000m : 1m;   // passes the door (a number >= 0), but more than the order's goods
            var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new
            {
                type = "orders.created", timestamp = now,
                data = new
                {
                    shopId = shop, orderId = $"o{i}", platform = "web", status = "paid", currency = "THB", createdAt = now, updatedAt = now, discount,
                    lines = new[] { new { productId = "p1", quantity = 1, unitPrice = 10m, unitCost = 4m } },
                },
            });
            ids.Add(TestNames.Unique("batch"));
            using var response = await SystemTests.PostSignedAsync(i % 2 == 0 ? system.A.Address : system.B.Address, "api/webhooks/orders/created", ids[^1], body);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var inbox = system.A.Services.GetRequiredService<Commerce.Webhooks.IWebhookInbox>();
        await Eventually.TrueAsync(async () =>
        {
            foreach (var id in ids)
            {
                if ((await inbox.FindAsync(CommerceServices.Storefront, id))?.Status is not (Commerce.Webhooks.InboxMessageStatus.Processed or Commerce.Webhooks.InboxMessageStatus.Dead))
                {
                    return false;
                }
            }

            return true;
        }, TimeSpan.FromSeconds(30), because: "every message of the batch gets its own outcome");
        for (var i = 0; i < ids.Count; i++)
        {
            var message = await inbox.FindAsync(CommerceServices.Storefront, ids[i]);
            Assert.Equal(i == 3 ? Commerce.Webhooks.InboxMessageStatus.Dead : Commerce.Webhooks.InboxMessageStatus.Processed, message!.Status);
        }

        using var seller = await new Commerce.StoreSimulator.FlashSaleCrowd([system.A.Address], shop).ClientAsync(system.A.Address, "seller", "seller", default);
        var metrics = await seller.GetFromJsonAsync<JsonElement>($"api/reports/metrics?shopId={shop}");
        Assert.Equal((5, 45m), (metrics.GetProperty("totalOrders").GetInt32(), metrics.GetProperty("totalRevenue").GetDecimal()));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task MalformedApiRequests_Get400ProblemDetailsWithFieldErrors_AndNoStackTrace()
    {
        var shop = TestNames.Unique("shop");
        var crowd = new FlashSaleCrowd([system.A.Address], shop);
        using var admin = await crowd.ClientAsync(system.A.Address, "admin", "admin", default);
        using var shopper = await crowd.ClientAsync(system.A.Address, "shopper-1", "shopper", default);

        using var badJson = await admin.PostAsync("api/v1/flash-sales", new StringContent("{\"shopId\": ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        await ProblemAsync(badJson);

        var now = DateTimeOffset.UtcNow;
        using var noShop = await admin.PostAsJsonAsync("api/v1/flash-sales", new { name = "n", startsAt = now, endsAt = now.AddHours(1), items = new[] { new { productId = "p1", stock = 5, price = 1m, perUserLimit = 2 } } });
        Assert.Equal(HttpStatusCode.BadRequest, noShop.StatusCode);
        Assert.Contains("shopid", (await noShop.Content.ReadAsStringAsync()).ToLowerInvariant(), StringComparison.Ordinal);

        using var badDate = await admin.GetAsync($"api/reports/metrics?shopId={shop}&start=abc");
        Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
        await ProblemAsync(badDate);

        using var noDays = await admin.GetAsync($"api/reports/metrics?shopId={shop}&days=0");
        Assert.Equal(HttpStatusCode.BadRequest, noDays.StatusCode);
        Assert.True((await ProblemAsync(noDays)).GetProperty("errors").TryGetProperty("days", out _));

        using var created = await admin.PostAsJsonAsync("api/v1/flash-sales", new { shopId = shop, name = "n", startsAt = now.AddSeconds(-1), endsAt = now.AddHours(1), items = new[] { new { productId = "p1", stock = 5, price = 1m, perUserLimit = 2 } } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var saleId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var zero = await shopper.PostAsJsonAsync($"api/v1/flash-sales/{saleId}/reserve", new { productId = "p1", quantity = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, zero.StatusCode);
        Assert.True((await ProblemAsync(zero)).GetProperty("errors").TryGetProperty("quantity", out _));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task TheDashboardAndTheApi_AreServedWithSecurityHeaders()
    {
        using var client = new HttpClient { BaseAddress = system.A.Address };
        foreach (var path in new[] { "", "health/live", "api/reports/metrics?shopId=x" })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.True(response.Headers.Contains("Referrer-Policy"), path);
        }

        // Also on an answer the exception handler writes (a bad value for a query parameter).
        var shop = TestNames.Unique("shop");
        using var seller = await new FlashSaleCrowd([system.A.Address], shop).ClientAsync(system.A.Address, "seller", "seller", default);
        using var invalid = await seller.GetAsync($"api/reports/metrics?shopId={shop}&start=abc");
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("nosniff", invalid.Headers.GetValues("X-Content-Type-Options").Single());

        using var page = await client.GetAsync("");
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task TheSseStream_CarriesTheUsersShopRoomEvents_WithoutARoomParameter()
    {
        var shop = TestNames.Unique("shop");
        using var seller = await new FlashSaleCrowd([system.A.Address], shop).ClientAsync(system.A.Address, "seller", "seller", default);
        var token = seller.DefaultRequestHeaders.Authorization!.Parameter!;
        using var stream = new HttpClient { BaseAddress = system.B.Address, Timeout = Timeout.InfiniteTimeSpan };
        using var response = await stream.GetAsync($"api/notifications/stream?access_token={token}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(body);
        Assert.StartsWith("retry:", await reader.ReadLineAsync());

        await using var simulator = await Simulated.StartAsync(system.Postgres, system.A.Address, shop, seed: 5);
        var products = simulator.Model.CreateCatalogue(2);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new StringBuilder();
        var read = Task.Run(async () =>
        {
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                seen.AppendLine(line);
                if (line.Contains("\"product_update\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
        });
        await simulator.Storefront.ProductAsync(products[0], created: true);
        await read.WaitAsync(timeout.Token);
        Assert.Contains("event: room", seen.ToString(), StringComparison.Ordinal);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task OutsideDevelopment_TheHostRefusesToStart_WithTheCommittedSecretsOrTheDefaultPassword()
    {
        var realKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));
        var realSecret = Commerce.Webhooks.WebhookSecret.Generate().Export();
        var withPassword = new Npgsql.NpgsqlConnectionStringBuilder(system.Postgres) { Password = "not-the-default" }.ConnectionString;
        var defaultPassword = new Npgsql.NpgsqlConnectionStringBuilder(system.Postgres) { Password = "postgres" }.ConnectionString;

        var key = await Assert.ThrowsAnyAsync<Exception>(() => HostInstance.StartAsync(system.Redis, withPassword, "Production", secret: realSecret));
        Assert.Contains("SigningKey", Flatten(key), StringComparison.Ordinal);
        var secret = await Assert.ThrowsAnyAsync<Exception>(() => HostInstance.StartAsync(system.Redis, withPassword, "Production", signingKey: realKey));
        Assert.Contains("Webhooks:Secrets", Flatten(secret), StringComparison.Ordinal);
        var password = await Assert.ThrowsAnyAsync<Exception>(() => HostInstance.StartAsync(system.Redis, defaultPassword, "Production", realKey, realSecret));
        Assert.Contains("default password", Flatten(password), StringComparison.Ordinal);

        static string Flatten(Exception e) => e is AggregateException a ? string.Join(" ", a.Flatten().InnerExceptions.Select(x => x.ToString())) : e.ToString();
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task TheDevelopmentTokenEndpoint_MintsAdminOnlyWhenAsked_AndRefusesUnknownRoles()
    {
        using var client = new HttpClient { BaseAddress = system.A.Address };
        using var plain = await client.PostAsJsonAsync("api/dev/token", new { userId = "u1", shopId = "s1" });
        Assert.Equal("seller", (await plain.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("role").GetString());
        using var admin = await client.PostAsJsonAsync("api/dev/token", new { userId = "u1", shopId = "s1", role = "admin" });
        Assert.Equal("admin", (await admin.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("role").GetString());
        using var root = await client.PostAsJsonAsync("api/dev/token", new { userId = "u1", shopId = "s1", role = "root" });
        Assert.Equal(HttpStatusCode.BadRequest, root.StatusCode);
        await ProblemAsync(root);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Readiness_Answers503WhileRedisIsUnreachable_AndOkAgainWhenItIsBack()
    {
        await using var proxy = TcpChaosProxy.Start(system.Redis.Split(',')[0]);
        await using var host = await HostInstance.StartAsync(proxy.EndPoint, system.Postgres);
        using var client = new HttpClient { BaseAddress = host.Address };
        await Eventually.TrueAsync(async () => (await client.GetAsync("health/ready")).StatusCode == HttpStatusCode.OK);

        proxy.Refuse();
        await Eventually.TrueAsync(async () => (await client.GetAsync("health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(30), because: "readiness checks Redis for real");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("health/live")).StatusCode);

        proxy.Restore();
        await Eventually.TrueAsync(async () => (await client.GetAsync("health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task TheOpenApiDocument_DescribesWhatEveryReportEndpointAnswers()
    {
        using var client = new HttpClient { BaseAddress = system.A.Address };
        var document = await client.GetFromJsonAsync<JsonElement>("openapi/v1.json");
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/reports/metrics", "/api/reports/sales-summary", "/api/reports/profit-analysis", "/api/reports/platform-comparison", "/api/smart-shelf/dashboard/{shopId}", "/api/smart-shelf/at-risk/{shopId}" })
        {
            var responses = paths.GetProperty(path).GetProperty("get").GetProperty("responses");
            Assert.True(responses.GetProperty("200").GetProperty("content").GetProperty("application/json").TryGetProperty("schema", out _), path);
            Assert.True(responses.TryGetProperty("403", out _) || responses.TryGetProperty("400", out _), path);
        }
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task TheAtRiskList_IsPaged_AndItsPagesAddUpToTheWholeList()
    {
        var shop = TestNames.Unique("shop");
        await using var simulator = await Simulated.StartAsync(system.Postgres, system.A.Address, shop, seed: 11);
        var products = simulator.Model.CreateCatalogue(40);
        await simulator.Storefront.SyncAsync(products, simulator.Model.CreateHistory(days: 14, perDay: 300));
        using var seller = await new FlashSaleCrowd([system.A.Address], shop).ClientAsync(system.A.Address, "seller", "seller", default);
        // Everything delivered and projected first, so the list does not change while it is paged.
        await using var db = Npgsql.NpgsqlDataSource.Create(system.Postgres);
        await Eventually.TrueAsync(async () =>
        {
            await using var command = db.CreateCommand(
                "select (select count(*) from store_simulator.outbox where status = 'pending') + (select count(*) from webhooks.inbox where status = 'pending')");
            return (long)(await command.ExecuteScalarAsync())! == 0;
        }, TimeSpan.FromSeconds(60), because: "the sync is delivered and projected");
        JsonElement whole = default;
        await Eventually.TrueAsync(async () =>
        {
            whole = await seller.GetFromJsonAsync<JsonElement>($"api/smart-shelf/at-risk/{shop}?limit=200");
            return whole.GetProperty("total").GetInt32() > 2;
        }, TimeSpan.FromSeconds(60), because: "a catalogue with two weeks of brisk sales has products at risk");

        var total = whole.GetProperty("total").GetInt32();
        var paged = new List<string>();
        for (var offset = 0; offset < total; offset += 2)
        {
            var page = await seller.GetFromJsonAsync<JsonElement>($"api/smart-shelf/at-risk/{shop}?offset={offset}&limit=2");
            Assert.Equal(total, page.GetProperty("total").GetInt32());
            paged.AddRange(page.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("productId").GetString()!));
        }

        Assert.Equal(whole.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("productId").GetString()!), paged);
        using var tooMany = await seller.GetAsync($"api/smart-shelf/at-risk/{shop}?limit=1000");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
