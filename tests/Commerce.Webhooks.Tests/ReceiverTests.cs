using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Webhooks.Tests;

/// <summary>Receiving over HTTP on a real Kestrel server, with the inbox in real PostgreSQL.</summary>
public sealed class ReceiverTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly WebhookSecret Secret = WebhookSecret.Generate();

    public sealed record OrderCreated(string OrderId, decimal Total);

    /// <summary>Records what handlers saw; can be told to fail.</summary>
    public sealed class Recorder
    {
        public ConcurrentQueue<WebhookMessage> Messages { get; } = new();

        public ConcurrentQueue<OrderCreated> Orders { get; } = new();

        private int _failuresLeft;

        public int FailuresLeft
        {
            get => Volatile.Read(ref _failuresLeft);
            set => Volatile.Write(ref _failuresLeft, value);
        }

        public void Record(WebhookMessage message)
        {
            if (Interlocked.Decrement(ref _failuresLeft) >= 0)
            {
                throw new InvalidOperationException("downstream is down");
            }

            Messages.Enqueue(message);
        }
    }

    public sealed class RecordingHandler(Recorder recorder) : IWebhookHandler
    {
        public ValueTask HandleAsync(WebhookMessage message, CancellationToken cancellationToken)
        {
            recorder.Record(message);
            return ValueTask.CompletedTask;
        }
    }

    public sealed class OrderHandler(Recorder recorder) : IWebhookHandler<OrderCreated>
    {
        public ValueTask HandleAsync(WebhookMessage message, OrderCreated payload, CancellationToken cancellationToken)
        {
            recorder.Record(message);
            recorder.Orders.Enqueue(payload);
            return ValueTask.CompletedTask;
        }
    }

    private async Task<(TestWebApp App, Recorder Recorder)> StartAsync(
        string schema,
        Action<WebhooksOptions>? configure = null,
        Recorder? recorder = null,
        string? postgresConnection = null,
        Action<WebhookEndpointOptions>? endpoint = null)
    {
        recorder ??= new Recorder();
        var app = await TestWebApp.StartAsync(
            builder =>
            {
                builder.Services.AddSingleton(recorder);
                builder.Services.AddProblemDetails();
                builder.Services.AddCommerceWebhooks(o =>
                    {
                        o.Schema = schema;
                        o.MaxBodyBytes = 4096;
                        o.RetryBaseDelay = TimeSpan.FromMilliseconds(50);
                        o.RetryMaxDelay = TimeSpan.FromMilliseconds(200);
                        o.InboxPollInterval = TimeSpan.FromMilliseconds(50);
                        o.MaxAttempts = 3;
                        configure?.Invoke(o);
                    })
                    .WithPostgres(postgresConnection ?? postgres.ConnectionString)
                    .AddSource("store", s => s.Secrets = [Secret.Export()])
                    .AddHandler<OrderCreated, OrderHandler>("orders.created")
                    .AddHandler<RecordingHandler>("products.created");
            },
            app => app.MapWebhooks("/webhooks/{type}", "store", endpoint));
        return (app, recorder);
    }

    private static HttpRequestMessage Signed(string path, string body, string? id = null, DateTimeOffset? at = null, WebhookSecret? secret = null) =>
        SignedRequests.Create(path, body, secret ?? Secret, id, at);

    private static string Order(string id = "o-1", decimal total = 12.5m) =>
        JsonSerializer.Serialize(new { type = "orders.created", timestamp = "2026-11-22T10:00:00Z", data = new { orderId = id, total } });

    [IntegrationFact(TestServer.Postgres)]
    public async Task ValidWebhook_IsCommittedBeforeThe202_ThenHandledWithItsTypedPayload()
    {
        var schema = TestNames.Unique();
        var (app, recorder) = await StartAsync(schema);
        await using var _ = app;

        using var response = await app.Client.SendAsync(Signed("webhooks/orders.created", Order("o-42", 99.95m), id: "msg_1"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, await postgres.InboxCountAsync(schema));
        await Eventually.TrueAsync(() => !recorder.Orders.IsEmpty);
        Assert.Equal(new OrderCreated("o-42", 99.95m), Assert.Single(recorder.Orders));
        var message = Assert.Single(recorder.Messages);
        Assert.Equal(("store", "msg_1", "orders.created"), (message.Source, message.MessageId, message.Type));
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero), message.Timestamp);
        var inbox = app.Services.GetRequiredService<IWebhookInbox>();
        await Eventually.TrueAsync(async () => (await inbox.FindAsync("store", "msg_1"))!.Status == InboxMessageStatus.Processed);
    }

    /// <summary>Regression: an envelope timestamp with a UTC offset made the insert throw, so every delivery got 503.</summary>
    [IntegrationFact(TestServer.Postgres)]
    public async Task EnvelopeTimestampWithAnOffset_IsAccepted()
    {
        var (app, recorder) = await StartAsync(TestNames.Unique());
        await using var _ = app;
        var body = "{\"type\":\"products.created\",\"timestamp\":\"2026-11-22T17:00:00+07:00\",\"data\":{}}";

        using var response = await app.Client.SendAsync(Signed("webhooks/products.created", body));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Eventually.TrueAsync(() => !recorder.Messages.IsEmpty);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero), Assert.Single(recorder.Messages).Timestamp);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task InvalidSignature_Is401ProblemDetails_AndNothingIsStored()
    {
        var schema = TestNames.Unique();
        var (app, _) = await StartAsync(schema);
        await using var __ = app;

        using var response = await app.Client.SendAsync(Signed("webhooks/orders.created", Order(), secret: WebhookSecret.Generate()));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("NoValidSignature", problem.GetProperty("failure").GetString());
        Assert.Equal(0, await postgres.InboxCountAsync(schema));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task ReplayOutsideTheTolerance_Is401_AndNothingIsStored()
    {
        var schema = TestNames.Unique();
        var (app, _) = await StartAsync(schema);
        await using var __ = app;

        using var stale = await app.Client.SendAsync(Signed("webhooks/orders.created", Order(), at: DateTimeOffset.UtcNow.AddMinutes(-6)));
        using var future = await app.Client.SendAsync(Signed("webhooks/orders.created", Order(), at: DateTimeOffset.UtcNow.AddMinutes(6)));

        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        Assert.Equal("TimestampTooOld", (await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("failure").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, future.StatusCode);
        Assert.Equal(0, await postgres.InboxCountAsync(schema));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task BodyOverTheLimit_Is413_AndNothingIsStored()
    {
        var schema = TestNames.Unique();
        var (app, _) = await StartAsync(schema);
        await using var __ = app;
        var big = JsonSerializer.Serialize(new { type = "orders.created", data = new string('x', 5000) });

        using var response = await app.Client.SendAsync(Signed("webhooks/orders.created", big));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await postgres.InboxCountAsync(schema));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task Duplicate_Sequential_IsAcknowledgedAndProcessedOnce()
    {
        var schema = TestNames.Unique();
        var (app, recorder) = await StartAsync(schema);
        await using var _ = app;

        using var first = await app.Client.SendAsync(Signed("webhooks/products.created", "{}", id: "msg_dup"));
        await Eventually.TrueAsync(() => recorder.Messages.Count == 1);
        using var second = await app.Client.SendAsync(Signed("webhooks/products.created", "{}", id: "msg_dup"));
        await Task.Delay(300);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("duplicate", (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Single(recorder.Messages);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task Duplicate_ManyCopiesAtOnce_OneIsAccepted_AllAreAcknowledged_ProcessedOnce()
    {
        var schema = TestNames.Unique();
        var (app, recorder) = await StartAsync(schema);
        await using var _ = app;

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ =>
            app.Client.SendAsync(Signed("webhooks/products.created", "{\"sku\":\"a\"}", id: "msg_storm"))));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Accepted));
        Assert.Equal(39, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(1, await postgres.InboxCountAsync(schema));
        await Eventually.TrueAsync(() => recorder.Messages.Count == 1);
        await Task.Delay(300);
        Assert.Single(recorder.Messages);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task FailingHandler_IsRetried_ThenParkedDeadWithItsError_AndReplayable()
    {
        var schema = TestNames.Unique();
        var recorder = new Recorder { FailuresLeft = 100 };
        var (app, _) = await StartAsync(schema, recorder: recorder);
        await using var __ = app;
        var inbox = app.Services.GetRequiredService<IWebhookInbox>();

        using var response = await app.Client.SendAsync(Signed("webhooks/products.created", "{}", id: "msg_poison"));

        await Eventually.TrueAsync(async () => (await inbox.FindAsync("store", "msg_poison"))!.Status == InboxMessageStatus.Dead);
        var dead = Assert.Single(await inbox.GetDeadAsync());
        Assert.Equal((3, "downstream is down"), (dead.Attempts, dead.LastError));
        Assert.Empty(recorder.Messages);

        recorder.FailuresLeft = 0; // fixed
        Assert.True(await inbox.ReplayAsync(dead.Id));
        await Eventually.TrueAsync(async () => (await inbox.GetAsync(dead.Id))!.Status == InboxMessageStatus.Processed);
        Assert.Single(recorder.Messages);
        Assert.False(await inbox.ReplayAsync(dead.Id)); // not dead any more
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task PayloadOfTheWrongShape_IsParkedDeadAtOnce()
    {
        var schema = TestNames.Unique();
        var (app, _) = await StartAsync(schema);
        await using var __ = app;
        var inbox = app.Services.GetRequiredService<IWebhookInbox>();

        using var response = await app.Client.SendAsync(Signed("webhooks/orders.created", "{\"type\":\"orders.created\",\"data\":{\"orderId\":\"o\",\"total\":\"not a number\"}}", id: "msg_bad"));

        await Eventually.TrueAsync(async () => (await inbox.FindAsync("store", "msg_bad"))!.Status == InboxMessageStatus.Dead);
        Assert.Equal(1, (await inbox.FindAsync("store", "msg_bad"))!.Attempts);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task TypeWithoutHandler_IsParkedDead_NotDropped()
    {
        var schema = TestNames.Unique();
        var (app, _) = await StartAsync(schema);
        await using var __ = app;
        var inbox = app.Services.GetRequiredService<IWebhookInbox>();

        using var response = await app.Client.SendAsync(Signed("webhooks/refunds.created", "{\"data\":{}}", id: "msg_unknown"));

        await Eventually.TrueAsync(async () => (await inbox.FindAsync("store", "msg_unknown"))?.Status == InboxMessageStatus.Dead);
        Assert.Contains("No handler", (await inbox.FindAsync("store", "msg_unknown"))!.LastError, StringComparison.Ordinal);
        Assert.Equal("refunds.created", (await inbox.FindAsync("store", "msg_unknown"))!.Type); // from the route, the body names no type
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task CrashAfterThe2xx_LosesNothing_TheNextInstanceProcessesIt()
    {
        var schema = TestNames.Unique();
        var (first, firstRecorder) = await StartAsync(schema, o => o.RunInboxProcessor = false);
        using (var response = await first.Client.SendAsync(Signed("webhooks/orders.created", Order("o-7"), id: "msg_crash")))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await first.DisposeAsync(); // the instance goes away before processing anything
        Assert.Empty(firstRecorder.Messages);

        var (second, recorder) = await StartAsync(schema);
        await using var _ = second;
        await Eventually.TrueAsync(() => !recorder.Orders.IsEmpty);
        Assert.Equal("o-7", Assert.Single(recorder.Orders).OrderId);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task InlineProcessing_Answers200AfterTheHandlerRan()
    {
        var schema = TestNames.Unique();
        var (app, recorder) = await StartAsync(schema, o => o.RunInboxProcessor = false, endpoint: e => e.ProcessInline = true);
        await using var _ = app;

        using var response = await app.Client.SendAsync(Signed("webhooks/orders.created", Order("o-9"), id: "msg_inline"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("processed", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal("o-9", Assert.Single(recorder.Orders).OrderId);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task PostgresDown_Is503WithRetryAfter_SoTheSenderRetries()
    {
        var (app, _) = await StartAsync(TestNames.Unique(), o => o.ApplyMigrationsOnStart = false, postgresConnection: "Host=127.0.0.1;Port=1;Timeout=2");
        await using var __ = app;

        using var response = await app.Client.SendAsync(Signed("webhooks/orders.created", Order()));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
