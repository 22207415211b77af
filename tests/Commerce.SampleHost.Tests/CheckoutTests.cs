using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Commerce.StoreSimulator;
using Commerce.Testing;
using Commerce.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Commerce.SampleHost.Tests;

/// <summary>The seed's checkout: a signed payment webhook confirms the flash-sale reservation and books the sale.</summary>
public sealed class CheckoutTests(SystemFixture system) : IClassFixture<SystemFixture>
{
    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task APaymentConfirmsItsReservation_AndTheSaleIsInTheReports_OnceEvenWhenSentTwice()
    {
        var shop = TestNames.Unique("shop");
        var crowd = new FlashSaleCrowd([system.A.Address], shop);
        using var admin = await crowd.ClientAsync(system.A.Address, "admin", "admin", default);
        using var shopper = await crowd.ClientAsync(system.A.Address, "shopper-p", "shopper", default);
        var saleId = await CreateSaleAsync(admin, shop);
        var reservation = await ReserveAsync(shopper, saleId, quantity: 2);

        using (var paid = await PayAsync(shop, saleId, reservation, "shopper-p", "pay-1", 200m))
        {
            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);   // confirmed in the request
        }

        await Eventually.TrueAsync(async () => Item(await admin.GetFromJsonAsync<JsonElement>($"api/v1/flash-sales/{saleId}")).GetProperty("confirmed").GetInt32() == 2,
            TimeSpan.FromSeconds(30), because: "the payment confirms the reservation");
        await Eventually.TrueAsync(async () => (await admin.GetFromJsonAsync<JsonElement>($"api/reports/metrics?shopId={shop}")).GetProperty("totalRevenue").GetDecimal() == 200m,
            TimeSpan.FromSeconds(30), because: "the flash-sale order is in the reports");
        var platforms = await admin.GetFromJsonAsync<JsonElement>($"api/reports/platform-comparison?shopId={shop}");
        Assert.Contains(platforms.GetProperty("platforms").EnumerateArray(), p => p.GetProperty("platform").GetString() == "flash-sale");

        // The same payment again, under another webhook id: nothing changes.
        using (var again = await PayAsync(shop, saleId, reservation, "shopper-p", "pay-1", 200m, webhookId: "again-1"))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        var inbox = system.A.Services.GetRequiredService<IWebhookInbox>();
        await Eventually.TrueAsync(async () => (await inbox.FindAsync(CommerceServices.Storefront, "again-1"))?.Status == InboxMessageStatus.Processed);
        var metrics = await admin.GetFromJsonAsync<JsonElement>($"api/reports/metrics?shopId={shop}");
        Assert.Equal(200m, metrics.GetProperty("totalRevenue").GetDecimal());
        Assert.Equal(1, metrics.GetProperty("totalOrders").GetInt32());
        Assert.Equal(2, Item(await admin.GetFromJsonAsync<JsonElement>($"api/v1/flash-sales/{saleId}")).GetProperty("confirmed").GetInt32());
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task APaymentForAReleasedReservation_NeverConfirmsIt_AndTheShopperIsToldOnce()
    {
        var shop = TestNames.Unique("shop");
        var crowd = new FlashSaleCrowd([system.A.Address], shop);
        using var admin = await crowd.ClientAsync(system.A.Address, "admin", "admin", default);
        using var shopper = await crowd.ClientAsync(system.A.Address, "shopper-q", "shopper", default);
        var saleId = await CreateSaleAsync(admin, shop);
        var reservation = await ReserveAsync(shopper, saleId, quantity: 1);
        using (var released = await shopper.PostAsync($"api/v1/flash-sales/{saleId}/release-reservation/{reservation}", null))
        {
            Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        }

        (await PayAsync(shop, saleId, reservation, "shopper-q", "pay-late", 100m)).Dispose();
        (await PayAsync(shop, saleId, reservation, "shopper-q", "pay-late", 100m, webhookId: "late-again")).Dispose();

        await Eventually.TrueAsync(async () =>
        {
            var page = await shopper.GetFromJsonAsync<JsonElement>("api/notifications?limit=50");
            return page.GetProperty("items").EnumerateArray().Any(n => n.GetProperty("type").GetString() == "payment_unmatched");
        }, TimeSpan.FromSeconds(30), because: "the shopper learns that the late payment did not buy anything");
        var inbox = system.A.Services.GetRequiredService<IWebhookInbox>();
        await Eventually.TrueAsync(async () => (await inbox.FindAsync(CommerceServices.Storefront, "late-again"))?.Status == InboxMessageStatus.Processed);

        var notifications = await shopper.GetFromJsonAsync<JsonElement>("api/notifications?limit=50");
        Assert.Single(notifications.GetProperty("items").EnumerateArray(), n => n.GetProperty("type").GetString() == "payment_unmatched");
        Assert.Equal(0, Item(await admin.GetFromJsonAsync<JsonElement>($"api/v1/flash-sales/{saleId}")).GetProperty("confirmed").GetInt32());
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>($"api/reports/metrics?shopId={shop}")).GetProperty("totalOrders").GetInt32());
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task APaymentIsConfirmedBeforeTheStorefrontIsAnswered()
    {
        var shop = TestNames.Unique("shop");
        var crowd = new FlashSaleCrowd([system.A.Address], shop);
        using var admin = await crowd.ClientAsync(system.A.Address, "admin", "admin", default);
        using var shopper = await crowd.ClientAsync(system.A.Address, "shopper-i", "shopper", default);
        var saleId = await CreateSaleAsync(admin, shop);
        var reservation = await ReserveAsync(shopper, saleId, quantity: 1);

        // Answered after the confirmation ran, not merely after it was queued: an inbox backlog can't outlast the hold.
        using (var paid = await PayAsync(shop, saleId, reservation, "shopper-i", "pay-inline", 100m))
        {
            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        }

        Assert.Equal(1, Item(await admin.GetFromJsonAsync<JsonElement>($"api/v1/flash-sales/{saleId}")).GetProperty("confirmed").GetInt32());
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task ASecondPaymentForAConfirmedReservation_NeverChangesTheBookedOrder_AndTheShopperIsToldItIsRefunded()
    {
        var shop = TestNames.Unique("shop");
        var crowd = new FlashSaleCrowd([system.A.Address], shop);
        using var admin = await crowd.ClientAsync(system.A.Address, "admin", "admin", default);
        using var shopper = await crowd.ClientAsync(system.A.Address, "shopper-d", "shopper", default);
        var saleId = await CreateSaleAsync(admin, shop);
        var reservation = await ReserveAsync(shopper, saleId, quantity: 2);

        (await PayAsync(shop, saleId, reservation, "shopper-d", "pay-first", 200m)).Dispose();
        await Eventually.TrueAsync(async () => (await admin.GetFromJsonAsync<JsonElement>($"api/reports/metrics?shopId={shop}")).GetProperty("totalRevenue").GetDecimal() == 200m,
            TimeSpan.FromSeconds(30), because: "the first payment books the order");

        // A second, different payment for the same reservation (a double click at the payment page), sent twice.
        (await PayAsync(shop, saleId, reservation, "shopper-d", "pay-second", 150m, paidAt: DateTimeOffset.UtcNow.AddMinutes(1))).Dispose();
        (await PayAsync(shop, saleId, reservation, "shopper-d", "pay-second", 150m, webhookId: "second-again", paidAt: DateTimeOffset.UtcNow.AddMinutes(1))).Dispose();
        var inbox = system.A.Services.GetRequiredService<IWebhookInbox>();
        await Eventually.TrueAsync(async () => (await inbox.FindAsync(CommerceServices.Storefront, "second-again"))?.Status == InboxMessageStatus.Processed);

        var notifications = await shopper.GetFromJsonAsync<JsonElement>("api/notifications?limit=50");
        var duplicate = Assert.Single(notifications.GetProperty("items").EnumerateArray(), n => n.GetProperty("type").GetString() == "payment_duplicate");
        Assert.Equal("pay-second", duplicate.GetProperty("data").GetProperty("paymentId").GetString());
        var metrics = await admin.GetFromJsonAsync<JsonElement>($"api/reports/metrics?shopId={shop}");
        Assert.Equal(200m, metrics.GetProperty("totalRevenue").GetDecimal());
        Assert.Equal(1, metrics.GetProperty("totalOrders").GetInt32());
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task APaidReservation_EmailsTheShopperAnOrderConfirmation_OnceWhenSmtpIsConfigured()
    {
        await using var smtp = new SmtpTestServer();
        await using var host = await HostInstance.StartAsync(system.Redis, system.Postgres, settings: new Dictionary<string, string>
        {
            ["Commerce:Smtp:Host"] = "127.0.0.1",
            ["Commerce:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Commerce:Smtp:Security"] = "None",
            ["Commerce:Smtp:From"] = "Shop <orders@shop.test>",
        });
        var shop = TestNames.Unique("shop");
        var crowd = new FlashSaleCrowd([host.Address], shop);
        using var admin = await crowd.ClientAsync(host.Address, "admin", "admin", default);
        using var shopper = await crowd.ClientAsync(host.Address, "shopper-e", "shopper", default);
        var saleId = await CreateSaleAsync(admin, shop);
        var reservation = await ReserveAsync(shopper, saleId, quantity: 1);

        (await PayAsync(shop, saleId, reservation, "shopper-e", "pay-mail", 100m, email: "shopper-e@example.test", address: host.Address)).Dispose();
        (await PayAsync(shop, saleId, reservation, "shopper-e", "pay-mail", 100m, email: "shopper-e@example.test", address: host.Address, webhookId: "mail-again")).Dispose();

        await Eventually.TrueAsync(() => !smtp.Messages.IsEmpty, TimeSpan.FromSeconds(30), because: "the order confirmation goes out by e-mail");
        var inbox = host.Services.GetRequiredService<IWebhookInbox>();
        await Eventually.TrueAsync(async () => (await inbox.FindAsync(CommerceServices.Storefront, "mail-again"))?.Status == InboxMessageStatus.Processed);
        var message = Assert.Single(smtp.Messages);
        Assert.Contains("shopper-e@example.test", message.To);
        Assert.Contains("pay-mail", message.Data, StringComparison.Ordinal);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task TheShopsSalesAreListed_WithWhatIsStillAvailable()
    {
        var shop = TestNames.Unique("shop");
        var crowd = new FlashSaleCrowd([system.A.Address], shop);
        using var admin = await crowd.ClientAsync(system.A.Address, "admin", "admin", default);
        using var shopper = await crowd.ClientAsync(system.B.Address, "shopper-l", "shopper", default);
        var saleId = await CreateSaleAsync(admin, shop);
        await ReserveAsync(shopper, saleId, quantity: 2);

        var listed = await shopper.GetFromJsonAsync<JsonElement>($"api/v1/flash-sales?shopId={shop}");

        var sale = Assert.Single(listed.GetProperty("items").EnumerateArray());
        Assert.Equal(saleId, sale.GetProperty("id").GetGuid());
        Assert.Equal(3, Item(sale).GetProperty("available").GetInt32());
        using var noShop = await shopper.GetAsync("api/v1/flash-sales");
        Assert.Equal(HttpStatusCode.BadRequest, noShop.StatusCode);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task ASaleWithAWaitingRoom_LetsOnlyAnAdmittedShopperReserve_OnEitherInstance()
    {
        var shop = TestNames.Unique("shop");
        var crowd = new FlashSaleCrowd([system.A.Address], shop);
        using var admin = await crowd.ClientAsync(system.A.Address, "admin", "admin", default);
        using var shopper = await crowd.ClientAsync(system.B.Address, "shopper-w", "shopper", default);
        var now = DateTimeOffset.UtcNow;
        using var created = await admin.PostAsJsonAsync("api/v1/flash-sales", new
        {
            shopId = shop, name = "queued", startsAt = now.AddSeconds(-5), endsAt = now.AddHours(1),
            items = new[] { new { productId = "p1", stock = 5, price = 10m, perUserLimit = 1 } },
            waitingRoom = new { admissionsPerSecond = 100, admissionSeconds = 60 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var saleId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        using (var unqueued = await shopper.PostAsJsonAsync($"api/v1/flash-sales/{saleId}/reserve", new { productId = "p1" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, unqueued.StatusCode);
            Assert.Equal("Not admitted", (await unqueued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        }

        using var queued = await shopper.PostAsync($"api/v1/flash-sales/{saleId}/queue", null);
        Assert.Equal(HttpStatusCode.OK, queued.StatusCode);
        var ticket = await queued.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Admitted", ticket.GetProperty("status").GetString());
        using var reserved = await shopper.PostAsJsonAsync($"api/v1/flash-sales/{saleId}/reserve", new { productId = "p1", admissionToken = ticket.GetProperty("admissionToken").GetString() });
        Assert.Equal(HttpStatusCode.Created, reserved.StatusCode);

        var plain = await CreateSaleAsync(admin, shop);
        using var noRoom = await shopper.PostAsync($"api/v1/flash-sales/{plain}/queue", null);
        Assert.Equal(HttpStatusCode.Conflict, noRoom.StatusCode);
    }

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static JsonElement Item(JsonElement sale) => sale.GetProperty("items")[0];

    private static async Task<Guid> CreateSaleAsync(HttpClient admin, string shop)
    {
        var now = DateTimeOffset.UtcNow;
        using var created = await admin.PostAsJsonAsync("api/v1/flash-sales", new { shopId = shop, name = "n", startsAt = now.AddSeconds(-1), endsAt = now.AddHours(1), items = new[] { new { productId = "p1", stock = 5, price = 100m, perUserLimit = 3 } } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<string> ReserveAsync(HttpClient shopper, Guid saleId, int quantity)
    {
        using var reserved = await shopper.PostAsJsonAsync($"api/v1/flash-sales/{saleId}/reserve", new { productId = "p1", quantity });
        Assert.Equal(HttpStatusCode.Created, reserved.StatusCode);
        return (await reserved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reservationId").GetString()!;
    }

    private Task<HttpResponseMessage> PayAsync(
        string shop, Guid saleId, string reservation, string userId, string paymentId, decimal amount, string? webhookId = null,
        DateTimeOffset? paidAt = null, string? email = null, Uri? address = null)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            type = "payments.succeeded",
            timestamp = DateTimeOffset.UtcNow,
            data = new { shopId = shop, saleId, reservationId = reservation, userId, paymentId, amount, currency = "THB", paidAt = paidAt ?? DateTimeOffset.UtcNow, email },
        }, Web);
        return SystemTests.PostSignedAsync(address ?? system.A.Address, "api/webhooks/payments/succeeded", webhookId ?? TestNames.Unique("pay"), body);
    }
}
