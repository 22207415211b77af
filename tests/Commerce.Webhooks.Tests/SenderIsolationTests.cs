using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Commerce.Webhooks.Tests;

/// <summary>
/// The sender keeps endpoints apart and keeps messages recoverable: a slow endpoint delays no other, a path never
/// changes the destination, a disabled endpoint's messages wait, throttling answers slow it down, and operators can
/// manage endpoints, read the attempt log, resend and recover. Real PostgreSQL, real HTTP endpoints.
/// </summary>
public sealed class SenderIsolationTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly WebhookSecret Secret = WebhookSecret.Generate();
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero); // whole seconds: PostgreSQL keeps microseconds

    private Task<(ServiceProvider Services, IWebhookSender Sender)> SenderAsync(TimeProvider? time = null, Action<WebhookSenderOptions>? configure = null, string? schema = null) =>
        SenderHarness.StartAsync(postgres, schema ?? TestNames.Unique(), time ?? TimeProvider.System, configure);

    [IntegrationFact(TestServer.Postgres)]
    public async Task SlowEndpoint_NeverDelaysDeliveriesToAnotherEndpoint()
    {
        await using var slow = await FlakyEndpoint.StartAsync(Secret);
        await using var fast = await FlakyEndpoint.StartAsync(Secret);
        slow.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously); // answers only when told
        await using var running = await SenderHarness.RunAsync(postgres, o =>
        {
            o.AttemptTimeout = TimeSpan.FromMinutes(5);
            o.PollInterval = TimeSpan.FromMilliseconds(50);
        });
        try
        {
            var sender = running.Sender;
            var slowTarget = await sender.AddEndpointAsync(slow.App.Address, [Secret]);
            var fastTarget = await sender.AddEndpointAsync(fast.App.Address, [Secret]);
            for (var i = 0; i < 8; i++)
            {
                await sender.SendAsync(slowTarget.Id, "t", new { i });
            }

            await Eventually.TrueAsync(() => slow.Received.Count >= 4); // the slow endpoint's slots are all taken

            var late = await sender.SendAsync(fastTarget.Id, "t", new { late = true });

            await Eventually.TrueAsync(async () => (await sender.GetAsync(late.Id))!.Status == OutgoingWebhookStatus.Delivered);
            Assert.Single(fast.Received);
            Assert.Equal(4, slow.MaxInFlight);
        }
        finally
        {
            slow.Hold.TrySetResult();   // before the dispatcher stops
        }
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task AnEndpointAtItsConcurrencyLimit_GetsItsNextMessage_AsSoonAsADeliveryFinishes_NotAtTheNextPoll()
    {
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        endpoint.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var running = await SenderHarness.RunAsync(postgres, o =>
        {
            o.MaxConcurrencyPerEndpoint = 1;
            o.PollInterval = TimeSpan.FromMinutes(10);   // only wake-ups and finished deliveries move it here
        });
        try
        {
            var sender = running.Sender;
            var target = await sender.AddEndpointAsync(endpoint.App.Address, [Secret]);
            var first = await sender.SendAsync(target.Id, "t", new { n = 0 });
            await Eventually.TrueAsync(() => endpoint.Received.Count == 1);
            var queued = new List<OutgoingWebhook>();
            for (var i = 1; i <= 5; i++)
            {
                queued.Add(await sender.SendAsync(target.Id, "t", new { n = i }));   // each wakes the dispatcher, which finds the endpoint busy
            }

            endpoint.Hold.SetResult();

            await Eventually.TrueAsync(async () => (await sender.GetAsync(queued[^1].Id))!.Status == OutgoingWebhookStatus.Delivered);
            Assert.Equal(OutgoingWebhookStatus.Delivered, (await sender.GetAsync(first.Id))!.Status);
            Assert.Equal(1, endpoint.MaxInFlight);
        }
        finally
        {
            endpoint.Hold.TrySetResult();   // before the dispatcher stops
        }
    }

    [IntegrationTheory(TestServer.Postgres)]
    [InlineData("https://evil.example/steal")]
    [InlineData("//evil.example/steal")]
    [InlineData("../admin")]
    [InlineData("orders/../../admin")]
    [InlineData("%2e%2e/admin")]
    [InlineData("orders\\..\\admin")]
    [InlineData("javascript:alert(1)")]
    [InlineData("orders?token=forged")]
    public async Task Path_ThatCouldChangeTheDestination_IsRefused_AndNothingIsStored(string path)
    {
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        var (services, sender) = await SenderAsync();
        await using var _ = services;
        var target = await sender.AddEndpointAsync(new Uri(endpoint.App.Address, "hooks/"), [Secret]);

        await Assert.ThrowsAsync<ArgumentException>(() => sender.SendAsync(target.Id, "t", new { }, path: path));

        Assert.Empty(await sender.ListAsync(target.Id));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task Path_IsAppendedBelowTheEndpoint_AndTheEndpointsQueryStringIsKept()
    {
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        var (services, sender) = await SenderAsync();
        await using var _ = services;
        var target = await sender.AddEndpointAsync(new Uri(endpoint.App.Address, "hooks?token=abc&tenant=7"), [Secret]);

        await sender.SendAsync(target.Id, "t", new { }, path: "orders/created");
        await sender.SendAsync(target.Id, "t", new { });
        await sender.DispatchDueAsync();

        Assert.Equal(
            new[] { "/hooks/orders/created?token=abc&tenant=7", "/hooks?token=abc&tenant=7" },
            endpoint.Targets.Order(StringComparer.Ordinal));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task DisabledEndpoint_KeepsItsMessagesPending_AndDeliversThemWhenEnabled()
    {
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        var (services, sender) = await SenderAsync();
        await using var _ = services;
        var target = await sender.AddEndpointAsync(endpoint.App.Address, [Secret]);
        await sender.SetEndpointEnabledAsync(target.Id, false);
        var first = await sender.SendAsync(target.Id, "t", new { n = 1 });
        var second = await sender.SendAsync(target.Id, "t", new { n = 2 });

        Assert.Equal(0, await sender.DispatchDueAsync());
        Assert.Equal(OutgoingWebhookStatus.Pending, (await sender.GetAsync(first.Id))!.Status);
        Assert.Empty(endpoint.Received);

        await sender.SetEndpointEnabledAsync(target.Id, true);
        Assert.Equal(2, await sender.DispatchDueAsync());
        Assert.Equal(OutgoingWebhookStatus.Delivered, (await sender.GetAsync(first.Id))!.Status);
        Assert.Equal(OutgoingWebhookStatus.Delivered, (await sender.GetAsync(second.Id))!.Status);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task EventsPublishedWhileAnEndpointIsDisabled_StayPending_AndGoOutWhenItIsEnabled()
    {
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        var (services, sender) = await SenderAsync();
        await using var _ = services;
        var orders = await sender.AddEndpointAsync(new Uri(endpoint.App.Address, "orders"), [Secret], eventTypes: ["orders.paid"]);
        var stock = await sender.AddEndpointAsync(new Uri(endpoint.App.Address, "stock"), [Secret], eventTypes: ["inventory.updated"]);
        await sender.SetEndpointEnabledAsync(orders.Id, false);   // say, disabled by a 410 while the partner migrates
        await sender.SetEndpointEnabledAsync(stock.Id, false);

        var published = await sender.PublishAsync("orders.paid", new { orderId = "o-1" });

        Assert.Equal(orders.Id, Assert.Single(published).EndpointId);   // only what the endpoint receives
        Assert.Equal(OutgoingWebhookStatus.Pending, published[0].Status);
        Assert.Equal(0, await sender.DispatchDueAsync());
        await sender.SetEndpointEnabledAsync(orders.Id, true);
        Assert.Equal(1, await sender.DispatchDueAsync());
        Assert.Equal(OutgoingWebhookStatus.Delivered, (await sender.GetAsync(published[0].Id))!.Status);
        Assert.Equal(new[] { "/orders" }, endpoint.Received.Select(r => r.Path));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task AfterA410_EnableAndRecoverSince_DeliversTheFailedMessagesAgain()
    {
        var time = new FakeTimeProvider(Start);
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        endpoint.Then(410);
        var (services, sender) = await SenderAsync(time, o => o.MaxConcurrencyPerEndpoint = 1);
        await using var _ = services;
        var target = await sender.AddEndpointAsync(endpoint.App.Address, [Secret]);
        var gone = await sender.SendAsync(target.Id, "t", new { n = 1 });
        await sender.DispatchDueAsync();
        var waiting = await sender.SendAsync(target.Id, "t", new { n = 2 });
        Assert.False((await sender.GetEndpointAsync(target.Id))!.Enabled);
        Assert.Equal(OutgoingWebhookStatus.Failed, (await sender.GetAsync(gone.Id))!.Status);

        await sender.SetEndpointEnabledAsync(target.Id, true); // the partner fixed it
        Assert.Equal(1, await sender.RecoverAsync(target.Id, Start - TimeSpan.FromHours(1)));
        await sender.DispatchDueAsync();

        Assert.Equal(OutgoingWebhookStatus.Delivered, (await sender.GetAsync(gone.Id))!.Status);
        Assert.Equal(OutgoingWebhookStatus.Delivered, (await sender.GetAsync(waiting.Id))!.Status);
        Assert.Equal(3, endpoint.Received.Count);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task Resend_DeliversAFinishedMessageAgain_WithItsAttemptsInTheLog()
    {
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        endpoint.ThenBody(500, "{\"error\":\"database locked\"}");
        var (services, sender) = await SenderAsync(configure: o => o.RetrySchedule = [TimeSpan.Zero]);
        await using var _ = services;
        var target = await sender.AddEndpointAsync(endpoint.App.Address, [Secret]);
        var sent = await sender.SendAsync(target.Id, "t", new { });
        await sender.DispatchDueAsync();
        Assert.Equal(OutgoingWebhookStatus.Failed, (await sender.GetAsync(sent.Id))!.Status);

        Assert.True(await sender.ResendAsync(sent.Id));
        await sender.DispatchDueAsync();

        Assert.Equal(OutgoingWebhookStatus.Delivered, (await sender.GetAsync(sent.Id))!.Status);
        var log = await sender.GetAttemptsAsync(sent.Id);
        Assert.Equal(2, log.Count);
        Assert.Equal((500, "{\"error\":\"database locked\"}", "HTTP 500"), (log[0].StatusCode, log[0].ResponseExcerpt, log[0].Error));
        Assert.Equal(200, log[1].StatusCode);
        Assert.Null(log[1].Error);
        Assert.All(log, a => Assert.True(a.Duration > TimeSpan.Zero));
    }

    [IntegrationTheory(TestServer.Postgres)]
    [InlineData(502)]
    [InlineData(504)]
    public async Task BadGatewayAndGatewayTimeout_SlowTheEndpointDown_HonouringRetryAfter(int status)
    {
        var time = new FakeTimeProvider(Start);
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        endpoint.Then(status, r => r.Headers.RetryAfter = "30");
        var (services, sender) = await SenderAsync(time, o => o.MaxConcurrencyPerEndpoint = 1);
        await using var _ = services;
        var target = await sender.AddEndpointAsync(endpoint.App.Address, [Secret]);
        var first = await sender.SendAsync(target.Id, "t", new { n = 1 });

        await sender.DispatchDueAsync();
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(30), (await sender.GetAsync(first.Id))!.NextAttemptAt);

        var second = await sender.SendAsync(target.Id, "t", new { n = 2 }); // due now, but the endpoint asked for a pause
        Assert.Equal(0, await sender.DispatchDueAsync());
        Assert.Single(endpoint.Received);

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(2, await sender.DispatchDueAsync());
        Assert.Equal(OutgoingWebhookStatus.Delivered, (await sender.GetAsync(second.Id))!.Status);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task Endpoints_CanBeListedFilteredByEventTypeUpdatedAndDeleted_AndPublishFansOutBySubscription()
    {
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        var (services, sender) = await SenderAsync();
        await using var _ = services;
        var orders = await sender.AddEndpointAsync(new Uri(endpoint.App.Address, "orders"), [Secret], eventTypes: ["orders.created", "orders.paid"], description: "ERP");
        var everything = await sender.AddEndpointAsync(new Uri(endpoint.App.Address, "all"), [Secret]);
        var stock = await sender.AddEndpointAsync(new Uri(endpoint.App.Address, "stock"), [Secret], eventTypes: ["inventory.updated"]);

        Assert.Equal(new[] { orders.Id, everything.Id, stock.Id }, (await sender.ListEndpointsAsync()).Select(e => e.Id));
        Assert.Equal(new[] { orders.Id, everything.Id }, (await sender.ListEndpointsAsync("orders.paid")).Select(e => e.Id));
        Assert.Equal(("ERP", 2), (orders.Description, orders.EventTypes.Count));

        var published = await sender.PublishAsync("orders.paid", new { orderId = "o-1" });
        Assert.Equal(new[] { orders.Id, everything.Id }.Order(), published.Select(m => m.EndpointId).Order());
        Assert.Single(published.Select(m => m.MessageId).Distinct());

        var updated = await sender.UpdateEndpointAsync(stock.Id, new WebhookEndpointUpdate { EventTypes = ["inventory.updated", "orders.paid"], Description = "warehouse" });
        Assert.Equal(("warehouse", 2), (updated!.Description, updated.EventTypes.Count));
        Assert.Equal(3, (await sender.ListEndpointsAsync("orders.paid")).Count);

        Assert.True(await sender.DeleteEndpointAsync(everything.Id));
        Assert.False(await sender.DeleteEndpointAsync(everything.Id));
        Assert.Null(await sender.GetAsync(published.Single(m => m.EndpointId == everything.Id).Id)); // its messages went with it
        Assert.Null(await sender.UpdateEndpointAsync(everything.Id, new WebhookEndpointUpdate { Description = "x" }));

        await sender.DispatchDueAsync();
        Assert.Equal(new[] { "/orders" }, endpoint.Received.Select(r => r.Path));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task TransactionalSend_IsDeliveredOnlyWhenTheApplicationsTransactionCommits()
    {
        var schema = TestNames.Unique();
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        var (services, sender) = await SenderAsync(schema: schema);
        await using var _ = services;
        var target = await sender.AddEndpointAsync(endpoint.App.Address, [Secret]);
        await using (var create = postgres.DataSource.CreateCommand($"create table \"{schema}\".app_orders (id text primary key)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        async Task<OutgoingWebhook> PlaceOrderAsync(string id, bool commit)
        {
            await using var connection = await postgres.DataSource.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var insert = new Npgsql.NpgsqlCommand($"insert into \"{schema}\".app_orders values (@id)", connection, transaction))
            {
                insert.Parameters.AddWithValue("id", id);
                await insert.ExecuteNonQueryAsync();
            }

            var message = await sender.SendAsync(target.Id, "orders.created", new { id }, transaction, messageId: $"msg_{id}");
            if (commit)
            {
                await transaction.CommitAsync();
            }
            else
            {
                await transaction.RollbackAsync();
            }

            return message;
        }

        var committed = await PlaceOrderAsync("o-1", commit: true);
        var rolledBack = await PlaceOrderAsync("o-2", commit: false);
        await sender.DispatchDueAsync();

        Assert.Equal(OutgoingWebhookStatus.Delivered, (await sender.GetAsync(committed.Id))!.Status);
        Assert.Null(await sender.GetAsync(rolledBack.Id));
        Assert.Single(endpoint.Received);
        await using var missing = await postgres.DataSource.OpenConnectionAsync();
        await using var tx = await missing.BeginTransactionAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => sender.SendAsync(Guid.NewGuid(), "t", new { }, tx));
        await using var stillUsable = new Npgsql.NpgsqlCommand("select 1", missing, tx);
        Assert.Equal(1, await stillUsable.ExecuteScalarAsync()); // a missing endpoint does not abort the application's transaction
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task Retention_DeletesFinishedMessagesAndTheirLog_KeepsPendingOnes()
    {
        var time = new FakeTimeProvider(Start);
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        var (services, sender) = await SenderAsync(time, o => o.Retention = TimeSpan.FromDays(30));
        await using var _ = services;
        var target = await sender.AddEndpointAsync(endpoint.App.Address, [Secret]);
        var delivered = await sender.SendAsync(target.Id, "t", new { });
        await sender.DispatchDueAsync();
        await sender.SetEndpointEnabledAsync(target.Id, false);
        var waiting = await sender.SendAsync(target.Id, "t", new { });

        time.Advance(TimeSpan.FromDays(29));
        Assert.Equal(0, await sender.PurgeAsync());
        time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, await sender.PurgeAsync());

        Assert.Null(await sender.GetAsync(delivered.Id));
        Assert.Empty(await sender.GetAttemptsAsync(delivered.Id));
        Assert.Equal(OutgoingWebhookStatus.Pending, (await sender.GetAsync(waiting.Id))!.Status);
    }
}
