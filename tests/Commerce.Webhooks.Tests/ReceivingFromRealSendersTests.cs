using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using NSec.Cryptography;

namespace Commerce.Webhooks.Tests;

/// <summary>
/// Receiving over HTTP what real senders send: Svix's header names, Ed25519 signatures, GitHub's and Shopify's event
/// headers and redeliveries; and bad message ids refused at the door. Real Kestrel, real PostgreSQL.
/// </summary>
public sealed class ReceivingFromRealSendersTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string ShopifySecret = "shpss_0123456789abcdef0123456789abcdef";
    private const string GitHubSecret = "github-webhook-secret";
    private static readonly WebhookSecret Secret = WebhookSecret.Generate();
    private static readonly byte[] SigningSeed = RandomNumberGenerator.GetBytes(32);

    public sealed class Seen
    {
        public ConcurrentQueue<WebhookMessage> Messages { get; } = new();
    }

    public sealed class SeeingHandler(Seen seen) : IWebhookHandler
    {
        public ValueTask HandleAsync(WebhookMessage message, CancellationToken cancellationToken)
        {
            seen.Messages.Enqueue(message);
            return ValueTask.CompletedTask;
        }
    }

    private async Task<(TestWebApp App, Seen Seen)> StartAsync(string schema)
    {
        var seen = new Seen();
        using var key = Key.Import(SignatureAlgorithm.Ed25519, SigningSeed, KeyBlobFormat.RawPrivateKey);
        var publicKey = WebhookPublicKey.Prefix + Convert.ToBase64String(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        var app = await TestWebApp.StartAsync(
            builder =>
            {
                builder.Services.AddSingleton(seen);
                builder.Services.AddProblemDetails();
                builder.Services.AddCommerceWebhooks(o =>
                    {
                        o.Schema = schema;
                        o.InboxPollInterval = TimeSpan.FromMilliseconds(50);
                    })
                    .WithPostgres(postgres.ConnectionString)
                    .AddSource("store", s => s.Secrets = [Secret.Export()])
                    .AddSource("signed", s => s.PublicKeys = [publicKey])
                    .AddSource("github", s => { s.Scheme = WebhookScheme.GitHub; s.Secrets = [GitHubSecret]; })
                    .AddSource("shopify", s => { s.Scheme = WebhookScheme.Shopify; s.Secrets = [ShopifySecret]; })
                    .AddHandler<SeeingHandler>("*");
            },
            app =>
            {
                app.MapWebhooks("/store", "store");
                app.MapWebhooks("/signed", "signed");
                app.MapWebhooks("/github", "github");
                app.MapWebhooks("/shopify", "shopify");
            });
        return (app, seen);
    }

    private static HttpRequestMessage Post(string path, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return request;
    }

    private static HttpRequestMessage Svix(string body, string id) =>
        Standard(body, id, WebhookHeaders.SvixId, WebhookHeaders.SvixTimestamp, WebhookHeaders.SvixSignature);

    private static HttpRequestMessage Standard(
        string body, string id, string idHeader = WebhookHeaders.Id, string timestampHeader = WebhookHeaders.Timestamp, string signatureHeader = WebhookHeaders.Signature)
    {
        var request = Post("store", body);
        var now = DateTimeOffset.UtcNow;
        request.Headers.Add(idHeader, id);
        request.Headers.Add(timestampHeader, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(signatureHeader, StandardWebhookSigner.Sign(id, now, Encoding.UTF8.GetBytes(body), Secret));
        return request;
    }

    private static HttpRequestMessage Shopify(string body, string webhookId, string eventId, string topic = "orders/create")
    {
        var request = Post("shopify", body);
        request.Headers.Add(WebhookHeaders.ShopifySignature, Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(ShopifySecret), Encoding.UTF8.GetBytes(body))));
        request.Headers.Add(WebhookHeaders.ShopifyWebhookId, webhookId);
        request.Headers.Add(WebhookHeaders.ShopifyEventId, eventId);
        request.Headers.Add(WebhookHeaders.ShopifyTopic, topic);
        request.Headers.Add(WebhookHeaders.ShopifyShopDomain, "acme.myshopify.com");
        request.Headers.Add(WebhookHeaders.ShopifyTriggeredAt, "2026-11-22T10:00:00Z");
        return request;
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task SvixSignedWebhook_IsAcceptedAndHandled()
    {
        var (app, seen) = await StartAsync(TestNames.Unique());
        await using var _ = app;

        using var response = await app.Client.SendAsync(Svix("{\"type\":\"orders.created\",\"data\":{}}", "msg_svix_1"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Eventually.TrueAsync(() => !seen.Messages.IsEmpty);
        Assert.Equal(("msg_svix_1", "orders.created"), (Assert.Single(seen.Messages).MessageId, seen.Messages.Single().Type));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task Ed25519SignedWebhook_IsAccepted_ByASourceWithAPublicKey()
    {
        var (app, seen) = await StartAsync(TestNames.Unique());
        await using var _ = app;
        var body = "{\"type\":\"orders.created\",\"data\":{}}";
        var now = DateTimeOffset.UtcNow;
        var signed = Encoding.UTF8.GetBytes($"msg_ed_1.{now.ToUnixTimeSeconds()}.{body}");
        using var key = Key.Import(SignatureAlgorithm.Ed25519, SigningSeed, KeyBlobFormat.RawPrivateKey);
        using var request = Post("signed", body);
        request.Headers.Add(WebhookHeaders.Id, "msg_ed_1");
        request.Headers.Add(WebhookHeaders.Timestamp, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookHeaders.Signature, "v1a," + Convert.ToBase64String(SignatureAlgorithm.Ed25519.Sign(key, signed)));

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Eventually.TrueAsync(() => !seen.Messages.IsEmpty);
    }

    [IntegrationTheory(TestServer.Postgres)]
    [InlineData("msg.with.dots")]
    [InlineData("long")]
    public async Task MalformedMessageId_Is400ProblemDetails_AndNothingIsStored(string id)
    {
        var schema = TestNames.Unique();
        var (app, _) = await StartAsync(schema);
        await using var __ = app;
        id = id == "long" ? "msg_" + new string('x', 300) : id;

        using var response = await app.Client.SendAsync(Standard("{\"type\":\"orders.created\"}", id));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("InvalidMessageId", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("failure").GetString());
        Assert.Equal(0, await postgres.InboxCountAsync(schema));
    }

    [IntegrationTheory(TestServer.Postgres)]
    [InlineData("msg_1\r\nX-Injected: 1")]
    [InlineData("msg_\u0001")]
    [InlineData("msg_\u007f")]
    public async Task MessageIdWithControlCharacters_IsInvalid_ThroughTheReceiverToo(string id)
    {
        var schema = TestNames.Unique();
        var (app, _) = await StartAsync(schema);
        await using var __ = app;
        var body = Encoding.UTF8.GetBytes("{}");
        var now = DateTimeOffset.UtcNow;
        var headers = new Microsoft.AspNetCore.Http.HeaderDictionary
        {
            [WebhookHeaders.Id] = id,
            [WebhookHeaders.Timestamp] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            [WebhookHeaders.Signature] = StandardWebhookSigner.Sign(id, now, body, Secret),
        };

        var result = await app.Services.GetRequiredService<IWebhookReceiver>().ReceiveAsync("store", headers, body);

        Assert.Equal(WebhookReceiveOutcome.Invalid, result.Outcome);
        Assert.Equal(WebhookVerificationFailure.InvalidMessageId, result.Verification.Failure);
        Assert.Null(result.InboxId);
        Assert.Equal(0, await postgres.InboxCountAsync(schema));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task GitHubEventHeader_WinsOverATypeFieldInTheBody()
    {
        var (app, seen) = await StartAsync(TestNames.Unique());
        await using var _ = app;
        var body = "{\"type\":\"User\",\"action\":\"opened\"}";
        using var request = Post("github", body);
        request.Headers.Add(WebhookHeaders.GitHubSignature, "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(GitHubSecret), Encoding.UTF8.GetBytes(body))));
        request.Headers.Add(WebhookHeaders.GitHubDelivery, Guid.NewGuid().ToString());
        request.Headers.Add(WebhookHeaders.GitHubEvent, "pull_request");

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Eventually.TrueAsync(() => !seen.Messages.IsEmpty);
        Assert.Equal("pull_request", Assert.Single(seen.Messages).Type);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task ShopifyTopicHeader_WinsOverATypeFieldInTheBody()
    {
        var (app, seen) = await StartAsync(TestNames.Unique());
        await using var _ = app;

        using var response = await app.Client.SendAsync(Shopify("{\"type\":\"physical\",\"id\":1}", "wh-1", "ev-1", "products/update"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Eventually.TrueAsync(() => !seen.Messages.IsEmpty);
        Assert.Equal("products/update", Assert.Single(seen.Messages).Type);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task ShopifyRedelivery_OfOneEvent_IsADuplicate_HandledOnce_WithTheShopDomainKept()
    {
        var (app, seen) = await StartAsync(TestNames.Unique());
        await using var _ = app;

        // Shopify can deliver one event under two webhook ids; the event id is what identifies it.
        using var first = await app.Client.SendAsync(Shopify("{\"id\":820982911946154508}", "wh-a", "ev-42"));
        using var second = await app.Client.SendAsync(Shopify("{\"id\":820982911946154508}", "wh-b", "ev-42"));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        await Eventually.TrueAsync(() => !seen.Messages.IsEmpty);
        await Task.Delay(300);
        var message = Assert.Single(seen.Messages);
        Assert.Equal("ev-42", message.MessageId);
        Assert.Equal("acme.myshopify.com", message.Headers[WebhookHeaders.ShopifyShopDomain]);
        Assert.Equal("wh-a", message.Headers[WebhookHeaders.ShopifyWebhookId]);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task SecretShorterThanTheSpecificationAllows_FailsStart_NamingTheSetting()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestWebApp.StartAsync(
            builder => builder.Services.AddCommerceWebhooks(o => o.Schema = TestNames.Unique())
                .WithPostgres(postgres.ConnectionString)
                .AddSource("store", s => s.Secrets = [WebhookSecret.Prefix + Convert.ToBase64String(new byte[16])]),
            app => app.MapWebhooks("/store", "store")));

        Assert.Contains("Sources:store:Secrets:0", error.Message, StringComparison.Ordinal);
    }
}
