using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Commerce.Webhooks.Tests;

/// <summary>
/// What happens to a message after it is stored: batch handlers with per-message outcomes, permanent failures declared
/// by a handler, retention that keeps deduplicating, and group-committed ingest. Real PostgreSQL and Kestrel.
/// </summary>
public sealed class InboxLifecycleTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly WebhookSecret Secret = WebhookSecret.Generate();

    public sealed class Journal
    {
        public ConcurrentQueue<IReadOnlyList<string>> Batches { get; } = new();

        public ConcurrentQueue<string> Singles { get; } = new();
    }

    /// <summary>Takes orders a batch at a time: fails "retry-me" (transiently), rejects "bad", handles the rest.</summary>
    public sealed class OrderBatchHandler(Journal journal) : IWebhookBatchHandler
    {
        public ValueTask HandleAsync(WebhookBatch batch, CancellationToken cancellationToken)
        {
            journal.Batches.Enqueue(batch.Messages.Select(m => m.MessageId).ToList());
            foreach (var message in batch.Messages)
            {
                if (message.MessageId.StartsWith("retry-me", StringComparison.Ordinal))
                {
                    batch.Fail(message, new TimeoutException("downstream timed out"));
                }
                else if (message.MessageId.StartsWith("bad", StringComparison.Ordinal))
                {
                    batch.Reject(message, "unknown shop");
                }
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Declares every "refund" it sees permanently bad.</summary>
    public sealed class RefundHandler(Journal journal) : IWebhookHandler
    {
        public ValueTask HandleAsync(WebhookMessage message, CancellationToken cancellationToken)
        {
            journal.Singles.Enqueue(message.MessageId);
            throw new WebhookPayloadException("refund for an order this shop never had");
        }
    }

    private Task<TestWebApp> StartAsync(string schema, Journal journal, Action<WebhooksOptions>? configure = null, TimeProvider? time = null) =>
        TestWebApp.StartAsync(
            builder =>
            {
                builder.Services.AddSingleton(journal);
                if (time is not null)
                {
                    builder.Services.AddSingleton(time);
                }

                builder.Services.AddCommerceWebhooks(o =>
                    {
                        o.Schema = schema;
                        o.InboxPollInterval = TimeSpan.FromMilliseconds(50);
                        o.RetryBaseDelay = TimeSpan.FromHours(1);
                        o.MaxAttempts = 5;
                        configure?.Invoke(o);
                    })
                    .WithPostgres(postgres.ConnectionString)
                    .AddSource("store", s => s.Secrets = [Secret.Export()])
                    .AddBatchHandler<OrderBatchHandler>("orders.created", maxBatchSize: 50)
                    .AddHandler<RefundHandler>("orders.refunded");
            },
            app => app.MapWebhooks("/hooks", "store"));

    private static HttpRequestMessage Signed(string id, string type, DateTimeOffset? at = null)
    {
        var body = Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\",\"data\":{{\"n\":1}}}}");
        var now = at ?? DateTimeOffset.UtcNow;
        var request = new HttpRequestMessage(HttpMethod.Post, "hooks") { Content = new ByteArrayContent(body) };
        request.Headers.Add(WebhookHeaders.Id, id);
        request.Headers.Add(WebhookHeaders.Timestamp, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookHeaders.Signature, StandardWebhookSigner.Sign(id, now, body, Secret));
        return request;
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task BatchHandler_GetsMessagesTogether_AndEachMessageKeepsItsOwnOutcome()
    {
        var journal = new Journal();
        await using var app = await StartAsync(TestNames.Unique(), journal, o => o.RunInboxProcessor = false);
        var ids = Enumerable.Range(0, 20).Select(i => $"ok-{i}").Append("retry-me-1").Append("bad-1").ToList();
        foreach (var id in ids)
        {
            using var response = await app.Client.SendAsync(Signed(id, "orders.created"));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var inbox = app.Services.GetRequiredService<IWebhookInbox>();
        Assert.Equal(ids.Count, await inbox.ProcessDueAsync());

        Assert.Equal(ids.Order(), journal.Batches.SelectMany(b => b).Order()); // each message in exactly one batch
        Assert.Contains(journal.Batches, b => b.Count > 1);
        foreach (var id in ids.Where(i => i.StartsWith("ok-", StringComparison.Ordinal)))
        {
            Assert.Equal(InboxMessageStatus.Processed, (await inbox.FindAsync("store", id))!.Status);
        }

        var retried = await inbox.FindAsync("store", "retry-me-1");
        Assert.Equal((InboxMessageStatus.Pending, "downstream timed out"), (retried!.Status, retried.LastError));
        var rejected = await inbox.FindAsync("store", "bad-1");
        Assert.Equal((InboxMessageStatus.Dead, "unknown shop"), (rejected!.Status, rejected.LastError));
        Assert.Equal(1, rejected.Attempts);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task HandlerThrowingWebhookPayloadException_ParksTheMessageDeadAtOnce()
    {
        var journal = new Journal();
        await using var app = await StartAsync(TestNames.Unique(), journal);

        using var response = await app.Client.SendAsync(Signed("refund-1", "orders.refunded"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var inbox = app.Services.GetRequiredService<IWebhookInbox>();
        await Eventually.TrueAsync(async () => (await inbox.FindAsync("store", "refund-1"))!.Status == InboxMessageStatus.Dead);
        var dead = await inbox.FindAsync("store", "refund-1");
        Assert.Equal((1, "refund for an order this shop never had"), (dead!.Attempts, dead.LastError));
        Assert.Single(journal.Singles);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task Retention_DropsProcessedBodies_KeepsDeduplicating_ThenForgetsTheId()
    {
        var schema = TestNames.Unique();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var journal = new Journal();
        await using var app = await StartAsync(schema, journal, o =>
        {
            o.RunPurge = false;
            o.ProcessedBodyRetention = TimeSpan.FromDays(7);
            o.DeduplicationWindow = TimeSpan.FromDays(30);
        }, time);
        var inbox = app.Services.GetRequiredService<IWebhookInbox>();
        using (var response = await app.Client.SendAsync(Signed("ok-kept", "orders.created", time.GetUtcNow())))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await Eventually.TrueAsync(async () => (await inbox.FindAsync("store", "ok-kept"))!.Status == InboxMessageStatus.Processed);
        using (var dead = await app.Client.SendAsync(Signed("refund-kept", "orders.refunded", time.GetUtcNow())))
        {
            Assert.Equal(HttpStatusCode.Accepted, dead.StatusCode);
        }

        await Eventually.TrueAsync(async () => (await inbox.FindAsync("store", "refund-kept"))!.Status == InboxMessageStatus.Dead);

        time.Advance(TimeSpan.FromDays(8));
        var first = await inbox.PurgeAsync();
        Assert.Equal(new WebhookPurgeResult(1, 0), first);
        Assert.Equal(0, await BodyLengthAsync(schema, "ok-kept"));
        Assert.True(await BodyLengthAsync(schema, "refund-kept") > 0); // dead messages keep their body for a replay

        using (var redelivery = await app.Client.SendAsync(Signed("ok-kept", "orders.created", time.GetUtcNow())))
        {
            Assert.Equal(HttpStatusCode.OK, redelivery.StatusCode); // still a duplicate
        }

        time.Advance(TimeSpan.FromDays(23));
        Assert.Equal(new WebhookPurgeResult(0, 1), await inbox.PurgeAsync());
        Assert.Null(await inbox.FindAsync("store", "ok-kept"));
        Assert.NotNull(await inbox.FindAsync("store", "refund-kept"));
        Assert.Single(journal.Batches);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task ConcurrentWebhooks_AreGroupCommitted_AndEveryAcknowledgedOneIsStored()
    {
        var schema = TestNames.Unique();
        await using var app = await StartAsync(schema, new Journal(), o => o.RunInboxProcessor = false);
        using var commits = new MetricCollector<int>(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), CommerceWebhooksDiagnostics.MeterName, "commerce.webhooks.inbox.commit.size");
        var ids = Enumerable.Range(0, 400).Select(i => $"ok-burst-{i}").ToList();

        // 400 distinct webhooks and a second copy of 200 of them in the opposite order, all at once: copies land in
        // concurrent groups in either order, which must not deadlock.
        var statuses = await Task.WhenAll(ids.Concat(ids.Take(200).Reverse()).Select(async id =>
        {
            using var response = await app.Client.SendAsync(Signed(id, "orders.created"));
            return response.StatusCode;
        }));

        var summary = string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Key}: {g.Count()}"));
        Assert.True(400 == statuses.Count(s => s == HttpStatusCode.Accepted), summary);
        Assert.Equal(200, statuses.Count(s => s == HttpStatusCode.OK));
        await using var count = postgres.DataSource.CreateCommand($"select count(*) from \"{schema}\".inbox");
        Assert.Equal(400L, await count.ExecuteScalarAsync());
        var sizes = commits.GetMeasurementSnapshot().Select(m => m.Value).ToList();
        Assert.Equal(600, sizes.Sum());
        Assert.True(sizes.Max() > 1, "concurrent webhooks share commits");
    }

    private async Task<int> BodyLengthAsync(string schema, string messageId)
    {
        await using var command = postgres.DataSource.CreateCommand($"select length(body) from \"{schema}\".inbox where message_id = @id");
        command.Parameters.AddWithValue("id", messageId);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
