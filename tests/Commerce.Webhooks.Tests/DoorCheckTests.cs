using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Webhooks.Tests;

/// <summary>
/// A webhook the handlers could never use is refused in the request (422 with field errors, nothing stored), so the
/// sender learns it; one they can use is stored as before.
/// </summary>
public sealed class DoorCheckTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly WebhookSecret Secret = WebhookSecret.Generate();

    /// <summary>An order needs an order id.</summary>
    public sealed class OrderValidator : IWebhookPayloadValidator
    {
        public IReadOnlyDictionary<string, string[]>? Validate(WebhookMessage message)
        {
            using var document = JsonDocument.Parse(message.Body);
            return document.RootElement.TryGetProperty("data", out var data) && data.TryGetProperty("orderId", out _)
                ? null
                : new Dictionary<string, string[]> { ["data.orderId"] = ["Required."] };
        }
    }

    public sealed class Ignore : IWebhookHandler
    {
        public ValueTask HandleAsync(WebhookMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task WhenTheRouteDecidesTheType_AWebhookNamingAnotherType_IsAnswered422_AndNotStored()
    {
        var schema = TestNames.Unique();
        await using var app = await StartAsync(schema);

        using var other = await app.Client.SendAsync(Signed("orders", """{"type":"orders.updated","data":{"orderId":"o1"}}"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        var problem = await other.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("orders.created", problem.GetProperty("errors").GetProperty("type")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await postgres.InboxCountAsync(schema));

        using var unnamed = await app.Client.SendAsync(Signed("orders", """{"data":{"orderId":"o1"}}""", id: "msg_unnamed"));
        Assert.Equal(HttpStatusCode.Accepted, unnamed.StatusCode);
        using var named = await app.Client.SendAsync(Signed("orders", """{"type":"orders.created","data":{"orderId":"o2"}}"""));
        Assert.Equal(HttpStatusCode.Accepted, named.StatusCode);
        Assert.Equal("orders.created", (await app.Services.GetRequiredService<IWebhookInbox>().FindAsync("store", "msg_unnamed"))!.Type);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task WhenTheRouteDecidesTheType_ABodyThatIsNoEnvelope_KeepsItsOwnTypeField_AndIsStoredUnderTheRoutesType()
    {
        var schema = TestNames.Unique();
        await using var app = await StartAsync(schema);

        // A sender without the Standard Webhooks envelope: "type" here is the cart's own field, not the event's type.
        using var raw = await app.Client.SendAsync(Signed("carts", """{"cartId":"c1","type":"guest","total":12.5}""", id: "msg_raw"));

        Assert.Equal(HttpStatusCode.Accepted, raw.StatusCode);
        Assert.Equal("carts.abandoned", (await app.Services.GetRequiredService<IWebhookInbox>().FindAsync("store", "msg_raw"))!.Type);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task APayloadTheValidatorRefuses_IsAnswered422WithItsFieldErrors_AndNotStored()
    {
        var schema = TestNames.Unique();
        await using var app = await StartAsync(schema);

        using var response = await app.Client.SendAsync(Signed("orders", """{"type":"orders.created","data":{}}"""));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Required.", problem.GetProperty("errors").GetProperty("data.orderId")[0].GetString());
        Assert.Equal(0, await postgres.InboxCountAsync(schema));
    }

    private async Task<TestWebApp> StartAsync(string schema) => await TestWebApp.StartAsync(
        builder =>
        {
            builder.Services.AddProblemDetails();
            builder.Services.AddCommerceWebhooks(o => o.Schema = schema)
                .WithPostgres(postgres.ConnectionString)
                .AddSource("store", s => s.Secrets = [Secret.Export()])
                .AddPayloadValidator<OrderValidator>("orders.created", "store")
                .AddHandler<Ignore>("*");
        },
        app =>
        {
            app.MapWebhooks("/orders", "store", o => { o.Type = "orders.created"; o.RequireType = true; });
            app.MapWebhooks("/carts", "store", o => { o.Type = "carts.abandoned"; o.RequireType = true; });
        });

    private static HttpRequestMessage Signed(string path, string body, string? id = null) => SignedRequests.Create(path, body, Secret, id);
}
