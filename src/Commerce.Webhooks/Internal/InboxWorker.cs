using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.Webhooks.Internal;

/// <summary>Processes the inbox in the background: woken by NOTIFY when a message arrives, polling as a safety net.</summary>
internal sealed class InboxWorker(
    IWebhookInbox inbox,
    WebhooksConnections connections,
    IOptions<WebhooksOptions> options,
    ILogger<InboxWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.RunInboxProcessor)
        {
            return;
        }

        await Task.Yield();
        using var signal = new SemaphoreSlim(0);
        var listening = NotificationListener.ListenAsync(connections.DataSource, connections.InboxChannel, signal, logger, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var processed = 0;
            try
            {
                processed = await inbox.ProcessDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Log.BackgroundPassFailed(logger, e);
            }

            if (processed == 0) // a productive pass is followed at once by another, until nothing is due
            {
                try
                {
                    await signal.WaitAsync(settings.InboxPollInterval, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        await listening.ConfigureAwait(false);
    }
}
