using Commerce.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.Webhooks.Internal;

/// <summary>Claims due messages, runs their handlers in a DI scope each, and records the outcome.</summary>
internal sealed class DefaultWebhookInbox(
    WebhooksConnections connections,
    InboxStore store,
    HandlerRegistry handlers,
    IServiceScopeFactory scopes,
    IOptions<WebhooksOptions> options,
    TimeProvider time,
    WebhooksMetrics metrics,
    ILogger<DefaultWebhookInbox> logger) : IWebhookInbox
{
    private readonly WebhooksOptions _options = options.Value;

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        var applied = await PostgresMigrator.ApplyAsync(connections.DataSource, _options.Schema, typeof(DefaultWebhookInbox).Assembly, cancellationToken).ConfigureAwait(false);
        if (applied.Count > 0)
        {
            Log.MigrationsApplied(logger, string.Join(",", applied), _options.Schema);
        }
    }

    public async Task<int> ProcessDueAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var rows = await store.ClaimAsync(now, now + _options.ProcessingLease, _options.InboxBatchSize, cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return 0;
        }

        await Parallel.ForEachAsync(
            rows,
            new ParallelOptions { MaxDegreeOfParallelism = _options.ProcessingConcurrency, CancellationToken = cancellationToken },
            async (row, ct) => await ProcessAsync(row, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return rows.Count;
    }

    /// <summary>Handles one claimed message; returns true when it was processed.</summary>
    internal async Task<bool> ProcessAsync(InboxRow row, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var activity = DefaultWebhookReceiver.Activities.StartActivity("commerce.webhooks.process");
        activity?.SetTag("commerce.webhooks.source", row.Source);
        activity?.SetTag("commerce.webhooks.type", row.Type);
        activity?.SetTag("commerce.webhooks.message_id", row.MessageId);
        var message = new WebhookMessage(row.Id, row.Source, row.MessageId, row.Type, row.EventTimestamp, row.ReceivedAt, row.Attempts, row.Body);
        var registered = handlers.For(row.Source, row.Type);
        try
        {
            if (registered.Count == 0)
            {
                throw new WebhookPayloadException($"No handler is registered for type '{row.Type}' from source '{row.Source}'.", new InvalidOperationException());
            }

            await using (var scope = scopes.CreateAsyncScope())
            {
                foreach (var handler in registered)
                {
                    await handler.Invoke(scope.ServiceProvider, message, cancellationToken).ConfigureAwait(false);
                }
            }

            await store.CompleteAsync(row.Id, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            metrics.Processed("processed", time.GetElapsedTime(started));
            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var dead = e is WebhookPayloadException || row.Attempts >= _options.MaxAttempts;
            var next = time.GetUtcNow() + Backoff(row.Attempts);
            await store.FailAsync(row.Id, dead, next, e.Message, CancellationToken.None).ConfigureAwait(false);
            metrics.Processed(dead ? "dead" : "retried", time.GetElapsedTime(started));
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.Message);
            if (dead)
            {
                Log.MessageDead(logger, row.Id, row.Type, row.Attempts, e);
            }
            else
            {
                Log.ProcessingFailed(logger, row.Id, row.Type, row.Attempts, next, e);
            }

            return false;
        }
    }

    public async Task<InboxMessage?> GetAsync(long id, CancellationToken cancellationToken = default) =>
        (await store.QueryAsync("id = @id", p => p.AddWithValue("id", id), cancellationToken).ConfigureAwait(false)).SingleOrDefault();

    public async Task<InboxMessage?> FindAsync(string source, string messageId, CancellationToken cancellationToken = default) =>
        (await store.QueryAsync(
            "source = @source and message_id = @message_id",
            p =>
            {
                p.AddWithValue("source", source);
                p.AddWithValue("message_id", messageId);
            },
            cancellationToken).ConfigureAwait(false)).SingleOrDefault();

    public Task<IReadOnlyList<InboxMessage>> GetDeadAsync(int limit = 100, CancellationToken cancellationToken = default) =>
        store.QueryAsync("status = 'dead' order by id limit @limit", p => p.AddWithValue("limit", limit), cancellationToken);

    public Task<bool> ReplayAsync(long id, CancellationToken cancellationToken = default) =>
        store.ReplayAsync(id, time.GetUtcNow(), cancellationToken);

    /// <summary>Exponential: base, 2 × base, 4 × base, ... capped at the maximum, varied by up to 10%.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var exponential = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, _options.RetryMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.9 + (Random.Shared.NextDouble() * 0.2)));
    }
}
