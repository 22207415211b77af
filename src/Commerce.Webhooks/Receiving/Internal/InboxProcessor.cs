using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.Webhooks.Internal;

/// <summary>Claimed messages a processor runs together: one message, or a batch for batch handlers.</summary>
internal sealed record InboxWork(IReadOnlyList<InboxRow> Rows, IReadOnlyList<BatchHandlerRegistration> Batches);

/// <summary>
/// Runs claimed inbox messages through their handlers and records each message's outcome, fenced by its claim token:
/// processed, retried later with backoff, or dead (after the last attempt, or at once for a
/// <see cref="WebhookPayloadException"/>). Batch handlers get their messages together; each message's outcome stays
/// its own. When the host stops mid-handler the messages are given back, not failed.
/// </summary>
internal sealed class InboxProcessor(
    InboxStore store,
    HandlerRegistry handlers,
    InboxLeaseKeeper leases,
    IServiceScopeFactory scopes,
    IOptions<WebhooksOptions> options,
    TimeProvider time,
    WebhooksMetrics metrics,
    ILogger<InboxProcessor> logger)
{
    private readonly WebhooksOptions _options = options.Value;

    /// <summary>Splits claimed rows into work: each message alone, except those a batch handler takes, batched by handler.</summary>
    public IReadOnlyList<InboxWork> Plan(IReadOnlyList<InboxRow> rows)
    {
        var work = new List<InboxWork>();
        var batched = new Dictionary<string, (IReadOnlyList<BatchHandlerRegistration> Batches, List<InboxRow> Rows)>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var batches = handlers.BatchesFor(row.Source, row.Type);
            if (batches.Count == 0)
            {
                work.Add(new InboxWork([row], []));
                continue;
            }

            var key = handlers.BatchKey(batches);
            if (!batched.TryGetValue(key, out var group))
            {
                batched[key] = group = (batches, []);
            }

            group.Rows.Add(row);
        }

        foreach (var (batches, group) in batched.Values)
        {
            var size = batches.Min(b => b.MaxBatchSize);
            work.AddRange(group.Chunk(size).Select(chunk => new InboxWork(chunk, batches)));
        }

        return work;
    }

    /// <summary>Logs and counts the messages a claim parked dead because their processor kept dying.</summary>
    public void ReportParked(IReadOnlyList<InboxRow> parked)
    {
        foreach (var row in parked)
        {
            metrics.Processed("dead", TimeSpan.Zero);
            Log.MessageDead(logger, row.Id, row.Type, row.Attempts, new InvalidOperationException("Claimed too often without an outcome."));
        }
    }

    /// <summary>Runs one piece of work and records its outcomes; returns how many messages were processed.</summary>
    public async Task<int> RunAsync(InboxWork work, CancellationToken stopping)
    {
        var started = time.GetTimestamp();
        using var activity = CommerceWebhooksDiagnostics.ActivitySource.StartActivity(work.Batches.Count > 0 ? "commerce.webhooks.process_batch" : "commerce.webhooks.process");
        activity?.SetTag("commerce.webhooks.batch_size", work.Rows.Count);
        if (work.Rows.Count == 1)
        {
            activity?.SetTag("commerce.webhooks.source", work.Rows[0].Source);
            activity?.SetTag("commerce.webhooks.type", work.Rows[0].Type);
            activity?.SetTag("commerce.webhooks.message_id", work.Rows[0].MessageId);
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(work.Rows.Select(r => leases.TokenOf(r)).Append(stopping).ToArray());
        var messages = work.Rows.Select(r => r.ToMessage()).ToList();
        var failures = new Dictionary<long, Exception>();
        try
        {
            await RunBatchHandlersAsync(work, messages, failures, cancel.Token).ConfigureAwait(false);
            await RunMessageHandlersAsync(work, messages, failures, cancel.Token).ConfigureAwait(false);
        }
        catch (Exception) when (cancel.IsCancellationRequested)
        {
            // stopping, or the claim was lost: give back what is still ours, untouched
            await GiveBackAsync(work.Rows).ConfigureAwait(false);
            return 0;
        }

        return await RecordAsync(work, failures, time.GetElapsedTime(started), activity).ConfigureAwait(false);
    }

    private async Task RunBatchHandlersAsync(InboxWork work, List<WebhookMessage> messages, Dictionary<long, Exception> failures, CancellationToken cancellationToken)
    {
        foreach (var registration in work.Batches)
        {
            var batch = new WebhookBatch(messages.Where(m => !failures.ContainsKey(m.Id)).ToList());
            if (batch.Messages.Count == 0)
            {
                return;
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await registration.Invoke(scope.ServiceProvider, batch, cancellationToken).ConfigureAwait(false);
                foreach (var (id, error) in batch.Failures)
                {
                    failures[id] = error;
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                batch.Messages.ToList().ForEach(m => failures[m.Id] = e);
            }
        }
    }

    private async Task RunMessageHandlersAsync(InboxWork work, List<WebhookMessage> messages, Dictionary<long, Exception> failures, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            if (failures.ContainsKey(message.Id))
            {
                continue;
            }

            var registered = handlers.For(message.Source, message.Type);
            if (registered.Count == 0 && work.Batches.Count == 0)
            {
                failures[message.Id] = new WebhookPayloadException($"No handler is registered for type '{message.Type}' from source '{message.Source}'.");
                continue;
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                foreach (var handler in registered)
                {
                    await handler.Invoke(scope.ServiceProvider, message, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                failures[message.Id] = e;
            }
        }
    }

    private async Task<int> RecordAsync(InboxWork work, Dictionary<long, Exception> failures, TimeSpan duration, Activity? activity)
    {
        var now = time.GetUtcNow();
        var outcomes = work.Rows.Select(row => failures.TryGetValue(row.Id, out var error)
            ? new InboxOutcome(
                row.Id,
                row.ClaimToken,
                error is WebhookPayloadException || row.Attempts >= _options.MaxAttempts ? InboxMessageStatus.Dead : InboxMessageStatus.Pending,
                now + Backoff(row.Attempts),
                error.Message)
            : new InboxOutcome(row.Id, row.ClaimToken, InboxMessageStatus.Processed, null, null)).ToList();

        HashSet<long> written;
        try
        {
            written = await store.RecordAsync(outcomes, now, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            work.Rows.ToList().ForEach(r => leases.Release(r));
        }

        var processed = 0;
        foreach (var (row, outcome) in work.Rows.Zip(outcomes))
        {
            if (!written.Contains(row.Id))
            {
                Log.OutcomeFenced(logger, row.Id, row.Type); // another processor holds it now; it decides
                continue;
            }

            var perMessage = duration / work.Rows.Count;
            switch (outcome.Status)
            {
                case InboxMessageStatus.Processed:
                    processed++;
                    metrics.Processed("processed", perMessage);
                    break;
                case InboxMessageStatus.Dead:
                    metrics.Processed("dead", perMessage);
                    Log.MessageDead(logger, row.Id, row.Type, row.Attempts, failures[row.Id]);
                    activity?.SetStatus(ActivityStatusCode.Error, outcome.Error);
                    break;
                default:
                    metrics.Processed("retried", perMessage);
                    Log.ProcessingFailed(logger, row.Id, row.Type, row.Attempts, outcome.NextAttemptAt!.Value, failures[row.Id]);
                    activity?.SetStatus(ActivityStatusCode.Error, outcome.Error);
                    break;
            }
        }

        return processed;
    }

    private async Task GiveBackAsync(IReadOnlyList<InboxRow> rows)
    {
        try
        {
            foreach (var group in rows.Where(r => !leases.IsLost(r)).GroupBy(r => r.ClaimToken))
            {
                await store.ReleaseAsync(group.Select(r => r.Id).ToList(), group.Key, uncount: false, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            Log.BackgroundPassFailed(logger, e); // the lease runs out instead
        }
        finally
        {
            rows.ToList().ForEach(r => leases.Release(r));
        }
    }

    /// <summary>Exponential: base, 2 × base, 4 × base, ... capped at the maximum, varied by up to 10%.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var exponential = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, _options.RetryMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.9 + (Random.Shared.NextDouble() * 0.2)));
    }
}
