using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Webhooks.Tests;

/// <summary>
/// A batch handler limited to a number of batches at a time per instance (<c>maxConcurrency</c>), as a handler that
/// writes one hot row per batch wants: its backlog waits in the inbox (unclaimed, free for another instance) and comes
/// in full batches, other types keep flowing meanwhile, and a finished batch wakes the processor. Real PostgreSQL.
/// </summary>
public sealed class BatchConcurrencyTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly WebhookSecret Secret = WebhookSecret.Generate();

    /// <summary>What the handlers saw: each batch, the most batches running at once, and the single messages.</summary>
    public sealed class Recorder
    {
        private int _running;
        private int _mostAtOnce;

        public ConcurrentQueue<IReadOnlyList<string>> Batches { get; } = new();

        public ConcurrentQueue<string> Singles { get; } = new();

        /// <summary>Holds the first batch until opened, so the rest of the messages arrive while it runs.</summary>
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int MostAtOnce => Volatile.Read(ref _mostAtOnce);

        public int Enter()
        {
            var now = Interlocked.Increment(ref _running);
            for (int most; now > (most = Volatile.Read(ref _mostAtOnce));)
            {
                Interlocked.CompareExchange(ref _mostAtOnce, now, most);
            }

            return now;
        }

        public void Leave() => Interlocked.Decrement(ref _running);
    }

    public sealed class SlowBatchHandler(Recorder recorder) : IWebhookBatchHandler
    {
        public async ValueTask HandleAsync(WebhookBatch batch, CancellationToken cancellationToken)
        {
            recorder.Enter();
            try
            {
                recorder.Batches.Enqueue(batch.Messages.Select(m => m.MessageId).ToList());
                await recorder.Gate.Task.WaitAsync(cancellationToken);
                await Task.Delay(20, cancellationToken);   // each batch takes a while, so batches could overlap
            }
            finally
            {
                recorder.Leave();
            }
        }
    }

    public sealed class SingleHandler(Recorder recorder) : IWebhookHandler
    {
        public ValueTask HandleAsync(WebhookMessage message, CancellationToken cancellationToken)
        {
            recorder.Singles.Enqueue(message.MessageId);
            return ValueTask.CompletedTask;
        }
    }

    [IntegrationTheory(TestServer.Postgres)]
    [InlineData(50)]    // a claim holds at most one batch
    [InlineData(200)]   // a claim holds four batches' worth: the three it may not run go back to the inbox, uncounted
    public async Task ABatchHandlerLimitedToOneBatch_RunsOneAtATime_ItsBacklogComesInFullBatches_AndOtherTypesKeepFlowing(int claimSize)
    {
        var recorder = new Recorder();
        await using var app = await TestWebApp.StartAsync(
            builder =>
            {
                builder.Services.AddSingleton(recorder);
                builder.Services.AddCommerceWebhooks(o =>
                    {
                        o.Schema = TestNames.Unique();
                        o.InboxPollInterval = TimeSpan.FromMinutes(10);   // only wake-ups move the inbox in this test
                        o.ProcessingConcurrency = 4;
                        o.InboxBatchSize = claimSize;
                    })
                    .WithPostgres(postgres.ConnectionString)
                    .AddSource("store", s => s.Secrets = [Secret.Export()])
                    .AddBatchHandler<SlowBatchHandler>("orders.created", maxBatchSize: 50, maxConcurrency: 1)
                    .AddHandler<SingleHandler>("products.updated");
            },
            app => app.MapWebhooks("/hooks", "store"));

        await SendAsync(app, "order-first", "orders.created");
        await Eventually.TrueAsync(() => recorder.Batches.Count == 1, because: "the first order starts a batch");
        var orders = Enumerable.Range(0, 230).Select(i => $"order-{i:D3}").ToList();
        await Parallel.ForEachAsync(orders, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, _) => await SendAsync(app, id, "orders.created"));
        await SendAsync(app, "product-1", "products.updated");

        // While the one batch allowed is held, the orders wait in the inbox, and a product update is still handled.
        await Eventually.TrueAsync(() => recorder.Singles.Contains("product-1"), because: "other types are claimed while the batch handler is busy");
        Assert.Single(recorder.Batches);

        recorder.Gate.SetResult();
        await Eventually.TrueAsync(() => recorder.Batches.Sum(b => b.Count) == 231, because: "each finished batch wakes the processor for the next");

        Assert.Equal(1, recorder.MostAtOnce);
        var batches = recorder.Batches.ToList();
        Assert.Equal(["order-first"], batches[0]);
        Assert.Equal(orders, batches.Skip(1).SelectMany(b => b).Order(StringComparer.Ordinal));   // each order once
        Assert.Equal([50, 50, 50, 50, 30], batches.Skip(1).Select(b => b.Count));   // the backlog in full batches
        var inbox = app.Services.GetRequiredService<IWebhookInbox>();
        foreach (var id in orders.Where((_, i) => i % 10 == 0))
        {
            Assert.Equal(1, (await inbox.FindAsync("store", id))!.Attempts);   // handed to a handler once, claimed however often
        }
    }

    public sealed class GatedSingleHandler(Recorder recorder) : IWebhookHandler
    {
        public async ValueTask HandleAsync(WebhookMessage message, CancellationToken cancellationToken)
        {
            recorder.Enter();
            try
            {
                await recorder.Gate.Task.WaitAsync(cancellationToken);
                recorder.Singles.Enqueue(message.MessageId);
            }
            finally
            {
                recorder.Leave();
            }
        }
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task WithABatchHandlerRegistered_AClaimStillHoldsOnlyTheMessagesItsFreeSlotsCanStart()
    {
        var schema = TestNames.Unique();
        var recorder = new Recorder();
        Task<TestWebApp> StartAsync(bool process) => TestWebApp.StartAsync(
            builder =>
            {
                builder.Services.AddSingleton(recorder);
                builder.Services.AddCommerceWebhooks(o =>
                    {
                        o.Schema = schema;
                        o.RunInboxProcessor = process;
                        o.ProcessingConcurrency = 2;
                    })
                    .WithPostgres(postgres.ConnectionString)
                    .AddSource("store", s => s.Secrets = [Secret.Export()])
                    .AddBatchHandler<SlowBatchHandler>("orders.created", maxBatchSize: 50)
                    .AddHandler<GatedSingleHandler>("products.updated");
            },
            app => app.MapWebhooks("/hooks", "store"));

        await using (var receiver = await StartAsync(process: false))
        {
            for (var i = 0; i < 10; i++)
            {
                await SendAsync(receiver, $"product-{i}", "products.updated");
            }
        }

        await using var processor = await StartAsync(process: true);
        await Eventually.TrueAsync(() => recorder.MostAtOnce == 2, because: "both slots run a slow product update");

        // The other eight wait unclaimed in the inbox, free for another instance, not leased to this busy one.
        await using var leased = postgres.DataSource.CreateCommand($"select count(*)::int from \"{schema}\".inbox where locked_until > now()");
        Assert.Equal(2, (int)(await leased.ExecuteScalarAsync())!);
        recorder.Gate.SetResult();
        await Eventually.TrueAsync(() => recorder.Singles.Count == 10);
    }

    private static async Task SendAsync(TestWebApp app, string id, string type)
    {
        using var request = SignedRequests.Create("hooks", $"{{\"type\":\"{type}\",\"data\":{{\"n\":1}}}}", Secret, id);
        using var response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
