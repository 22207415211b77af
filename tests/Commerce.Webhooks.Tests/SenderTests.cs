using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Commerce.Webhooks.Tests;

/// <summary>The sender against a real local HTTP endpoint that fails on demand, with the outbox in real PostgreSQL.</summary>
public sealed class SenderTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly WebhookSecret Secret = WebhookSecret.Generate();

    private Task<(ServiceProvider Services, IWebhookSender Sender)> SenderAsync(string schema, TimeProvider time, Action<WebhookSenderOptions>? configure = null) =>
        SenderHarness.StartAsync(postgres, schema, time, configure);

    [IntegrationFact(TestServer.Postgres)]
    public async Task Delivery_SignsEachAttemptAfresh_AndRetriesOnTheSchedule()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero)); // whole seconds: PostgreSQL keeps microseconds
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        endpoint.Clock = time;
        endpoint.Then(500);
        endpoint.Then(502);
        endpoint.Then(200);
        var (services, sender) = await SenderAsync(TestNames.Unique(), time);
        await using var _ = services;
        var target = await sender.AddEndpointAsync(new Uri(endpoint.App.Address, "hooks/"), [Secret]);

        var sent = await sender.SendAsync(target.Id, "orders.created", new { orderId = "o-1", total = 10m }, path: "orders/created");
        Assert.Equal(1, await sender.DispatchDueAsync()); // at once: 500
        var afterFirst = await sender.GetAsync(sent.Id);
        Assert.Equal((OutgoingWebhookStatus.Pending, 1, 500), (afterFirst!.Status, afterFirst.Attempts, afterFirst.LastStatusCode));
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(5), afterFirst.NextAttemptAt);

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, await sender.DispatchDueAsync()); // not yet
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await sender.DispatchDueAsync()); // after 5 s: 502
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(5), (await sender.GetAsync(sent.Id))!.NextAttemptAt);

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, await sender.DispatchDueAsync()); // after 5 min: 200
        var delivered = await sender.GetAsync(sent.Id);
        Assert.Equal((OutgoingWebhookStatus.Delivered, 3), (delivered!.Status, delivered.Attempts));

        var attempts = endpoint.Received.ToArray();
        Assert.Equal(3, attempts.Length);
        Assert.All(attempts, a => Assert.True(a.Verification.IsValid, a.Verification.Detail));
        Assert.All(attempts, a => Assert.Equal("/hooks/orders/created", a.Path));
        Assert.All(attempts, a => Assert.Equal(a.At, a.Verification.Timestamp!.Value, TimeSpan.FromSeconds(1))); // signed at the attempt
        using var envelope = JsonDocument.Parse(attempts[0].Body);
        Assert.Equal("orders.created", envelope.RootElement.GetProperty("type").GetString());
        Assert.Equal("o-1", envelope.RootElement.GetProperty("data").GetProperty("orderId").GetString());
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task RetryAfter_On429_IsHonouredOverAShorterSchedule()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero)); // whole seconds: PostgreSQL keeps microseconds
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        endpoint.Then(429, r => r.Headers.RetryAfter = "120");
        endpoint.Then(503, r => r.Headers.RetryAfter = (time.GetUtcNow() + TimeSpan.FromMinutes(30)).ToString("R"));
        var (services, sender) = await SenderAsync(TestNames.Unique(), time);
        await using var _ = services;
        var target = await sender.AddEndpointAsync(endpoint.App.Address, [Secret]);
        var sent = await sender.SendAsync(target.Id, "t", new { });

        await sender.DispatchDueAsync();
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(120), (await sender.GetAsync(sent.Id))!.NextAttemptAt);

        time.Advance(TimeSpan.FromSeconds(120));
        await sender.DispatchDueAsync();
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(30), (await sender.GetAsync(sent.Id))!.NextAttemptAt!.Value, TimeSpan.FromSeconds(1));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task Gone410_DisablesTheEndpoint_StopsDeliveringToIt_AndKeepsItsOtherMessagesPending()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero)); // whole seconds: PostgreSQL keeps microseconds
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        endpoint.Then(410);
        var (services, sender) = await SenderAsync(TestNames.Unique(), time, o => o.MaxConcurrencyPerEndpoint = 1);
        await using var _ = services;
        var target = await sender.AddEndpointAsync(endpoint.App.Address, [Secret]);
        var first = await sender.SendAsync(target.Id, "t", new { n = 1 });

        await sender.DispatchDueAsync();
        var second = await sender.SendAsync(target.Id, "t", new { n = 2 });
        await sender.DispatchDueAsync();

        Assert.Equal(OutgoingWebhookStatus.Failed, (await sender.GetAsync(first.Id))!.Status);
        Assert.Equal(OutgoingWebhookStatus.Pending, (await sender.GetAsync(second.Id))!.Status); // waits for the endpoint, not dropped
        Assert.Single(endpoint.Received);
        var disabled = await sender.GetEndpointAsync(target.Id);
        Assert.False(disabled!.Enabled);
        Assert.Contains("410", disabled.DisabledReason, StringComparison.Ordinal);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task ScheduleExhausted_TheMessageFails()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero)); // whole seconds: PostgreSQL keeps microseconds
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        for (var i = 0; i < 3; i++)
        {
            endpoint.Then(500);
        }

        var (services, sender) = await SenderAsync(TestNames.Unique(), time, o => o.RetrySchedule = [TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)]);
        await using var _ = services;
        var target = await sender.AddEndpointAsync(endpoint.App.Address, [Secret]);
        var sent = await sender.SendAsync(target.Id, "t", new { });

        for (var i = 0; i < 3; i++)
        {
            await sender.DispatchDueAsync();
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var failed = await sender.GetAsync(sent.Id);
        Assert.Equal((OutgoingWebhookStatus.Failed, 3, "HTTP 500"), (failed!.Status, failed.Attempts, failed.LastError));
        Assert.Equal(0, await sender.DispatchDueAsync());
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task SlowEndpoint_AttemptIsCutAtTheTimeout_AndRetried()
    {
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        endpoint.ThenHang(TimeSpan.FromSeconds(30));
        endpoint.Then(200);
        var (services, sender) = await SenderAsync(TestNames.Unique(), TimeProvider.System, o =>
        {
            o.AttemptTimeout = TimeSpan.FromMilliseconds(300);
            o.RetrySchedule = [TimeSpan.Zero, TimeSpan.Zero];
        });
        await using var _ = services;
        var target = await sender.AddEndpointAsync(endpoint.App.Address, [Secret]);
        var sent = await sender.SendAsync(target.Id, "t", new { });

        await sender.DispatchDueAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var timedOut = await sender.GetAsync(sent.Id);
        Assert.Equal(OutgoingWebhookStatus.Pending, timedOut!.Status);
        Assert.Contains("No answer", timedOut.LastError, StringComparison.Ordinal);

        await sender.DispatchDueAsync();
        Assert.Equal(OutgoingWebhookStatus.Delivered, (await sender.GetAsync(sent.Id))!.Status);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task PrivateAddresses_AreRefusedUnlessAllowed_AndNothingIsSent()
    {
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        var (services, sender) = await SenderAsync(TestNames.Unique(), TimeProvider.System, o => o.AllowPrivateNetworks = false);
        await using var _ = services;
        var target = await sender.AddEndpointAsync(endpoint.App.Address, [Secret]);
        var localhost = await sender.AddEndpointAsync(new Uri($"http://localhost:{endpoint.App.Address.Port}/"), [Secret]);

        var byAddress = await sender.SendAsync(target.Id, "t", new { });
        var byName = await sender.SendAsync(localhost.Id, "t", new { });
        await sender.DispatchDueAsync();

        foreach (var sent in new[] { byAddress, byName })
        {
            var blocked = await sender.GetAsync(sent.Id);
            Assert.Equal(OutgoingWebhookStatus.Failed, blocked!.Status);
            Assert.Contains("internal addresses", blocked.LastError, StringComparison.Ordinal);
        }

        Assert.Empty(endpoint.Received);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task ConcurrencyPerEndpoint_IsBounded()
    {
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        endpoint.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (services, sender) = await SenderAsync(TestNames.Unique(), TimeProvider.System, o => o.MaxConcurrencyPerEndpoint = 3);
        await using var _ = services;
        var target = await sender.AddEndpointAsync(endpoint.App.Address, [Secret]);
        for (var i = 0; i < 20; i++)
        {
            await sender.SendAsync(target.Id, "t", new { i });
        }

        var pass = sender.DispatchDueAsync();
        await Eventually.TrueAsync(() => endpoint.Received.Count == 3);
        await Task.Delay(200);
        Assert.Equal(3, endpoint.Received.Count);
        endpoint.Hold.SetResult();
        Assert.Equal(20, await pass);

        Assert.Equal(3, endpoint.MaxInFlight);
        Assert.Equal(20, endpoint.Received.Count);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task AcceptedMessage_SurvivesARestart_AndSendingTheSameIdTwiceStoresItOnce()
    {
        var schema = TestNames.Unique();
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        Guid target;
        long id;
        var (first, firstSender) = await SenderAsync(schema, TimeProvider.System);
        await using (first)
        {
            target = (await firstSender.AddEndpointAsync(endpoint.App.Address, [Secret])).Id;
            id = (await firstSender.SendAsync(target, "t", new { }, messageId: "msg_once")).Id;
            Assert.Equal(id, (await firstSender.SendAsync(target, "t", new { }, messageId: "msg_once")).Id);
        }

        var (second, secondSender) = await SenderAsync(schema, TimeProvider.System);
        await using var _ = second;
        await secondSender.DispatchDueAsync();

        Assert.Equal(OutgoingWebhookStatus.Delivered, (await secondSender.GetAsync(id))!.Status);
        Assert.Single(endpoint.Received);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task BackgroundDispatcher_DeliversAsSoonAsAMessageIsAccepted()
    {
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        var schema = TestNames.Unique();
        await using var app = await TestWebApp.StartAsync(
            b => b.Services.AddCommerceWebhooks(o =>
                {
                    o.Schema = schema;
                    o.Sender.AllowPrivateNetworks = true;
                    o.Sender.PollInterval = TimeSpan.FromMinutes(1); // only the notification can wake it in time
                })
                .WithPostgres(postgres.ConnectionString),
            _ => { });
        var sender = app.Services.GetRequiredService<IWebhookSender>();
        var target = await sender.AddEndpointAsync(endpoint.App.Address, [Secret]);
        await Task.Delay(500); // the dispatcher is listening

        await sender.SendAsync(target.Id, "t", new { });

        await Eventually.TrueAsync(() => endpoint.Received.Count == 1, TimeSpan.FromSeconds(10));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task EndpointUrl_MustBeAbsoluteHttp()
    {
        var (services, sender) = await SenderAsync(TestNames.Unique(), TimeProvider.System);
        await using var _ = services;

        await Assert.ThrowsAsync<ArgumentException>(() => sender.AddEndpointAsync(new Uri("ftp://example.com/")));
        await Assert.ThrowsAsync<InvalidOperationException>(() => sender.SendAsync(Guid.NewGuid(), "t", new { }));
    }
}
