using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.Webhooks.Internal;

/// <summary>
/// Applies the retention in the background every <see cref="WebhooksOptions.PurgeInterval"/>: the inbox's processed
/// bodies and expired message ids, and the outbox's finished messages. Each instance may run it; the statements are
/// idempotent and bounded, so concurrent passes only share the work.
/// </summary>
internal sealed class RetentionWorker(IWebhookInbox inbox, IWebhookSender sender, IOptions<WebhooksOptions> options, TimeProvider time, ILogger<RetentionWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunPurge)
        {
            return;
        }

        await Task.Yield();
        using var timer = new PeriodicTimer(options.Value.PurgeInterval, time);
        try
        {
            do
            {
                try
                {
                    var inboxPurged = await inbox.PurgeAsync(stoppingToken).ConfigureAwait(false);
                    var outboxPurged = await sender.PurgeAsync(stoppingToken).ConfigureAwait(false);
                    if (inboxPurged.BodiesPurged + inboxPurged.RowsDeleted + outboxPurged > 0)
                    {
                        Log.Purged(logger, inboxPurged.BodiesPurged, inboxPurged.RowsDeleted, outboxPurged);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.BackgroundPassFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
