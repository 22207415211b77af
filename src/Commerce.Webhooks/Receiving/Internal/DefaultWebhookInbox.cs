using Commerce.Shared;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.Webhooks.Internal;

/// <summary>The operator's side of the inbox: migrations, a processing pass on demand, reading, dead letters, replay and retention.</summary>
internal sealed class DefaultWebhookInbox(
    WebhooksConnections connections,
    InboxStore store,
    InboxPump pump,
    IOptions<WebhooksOptions> options,
    TimeProvider time,
    ILogger<DefaultWebhookInbox> logger) : IWebhookInbox
{
    private const int PurgeStep = 5_000;
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
        var total = 0;
        while (total < _options.InboxBatchSize)
        {
            await pump.WaitForSlotAsync(cancellationToken).ConfigureAwait(false);
            var (claimed, running, _) = await pump.ClaimAndStartAsync(cancellationToken).ConfigureAwait(false);
            await running.ConfigureAwait(false);
            if (claimed == 0)
            {
                break;
            }

            total += claimed;
        }

        return total;
    }

    public Task<InboxMessage?> GetAsync(long id, CancellationToken cancellationToken = default) =>
        store.GetAsync(id, cancellationToken);

    public Task<InboxMessage?> FindAsync(string source, string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        return store.FindAsync(source, messageId, cancellationToken);
    }

    public Task<IReadOnlyList<InboxMessage>> GetDeadAsync(int limit = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return store.GetDeadAsync(limit, cancellationToken);
    }

    public Task<bool> ReplayAsync(long id, CancellationToken cancellationToken = default) =>
        store.ReplayAsync(id, time.GetUtcNow(), cancellationToken);

    public async Task<WebhookPurgeResult> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        long bodies = 0, rows = 0;
        while (true)
        {
            var (b, r) = await store.PurgeAsync(now, now - _options.ProcessedBodyRetention, now - _options.DeduplicationWindow, PurgeStep, cancellationToken).ConfigureAwait(false);
            bodies += b;
            rows += r;
            if (b < PurgeStep && r < PurgeStep)
            {
                return new WebhookPurgeResult(bodies, rows);
            }
        }
    }
}
