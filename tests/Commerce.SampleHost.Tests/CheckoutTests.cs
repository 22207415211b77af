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
            Assert.Equal(HttpStatusCode.Accepted, paid.StatusCode);
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
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
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

    private Task<HttpResponseMessage> PayAsync(string shop, Guid saleId, string reservation, string userId, string paymentId, decimal amount, string? webhookId = null)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            type = "payments.succeeded",
            timestamp = DateTimeOffset.UtcNow,
            data = new { shopId = shop, saleId, reservationId = reservation, userId, paymentId, amount, currency = "THB", paidAt = DateTimeOffset.UtcNow },
        }, Web);
        return SystemTests.PostSignedAsync(system.A.Address, "api/webhooks/payments/succeeded", webhookId ?? TestNames.Unique("pay"), body);
    }
}
