using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.Webhooks.Internal;

/// <summary>Delivers the outbox in the background: woken by NOTIFY when a message is accepted, polling as a safety net.</summary>
internal sealed class DispatcherWorker(
    IWebhookSender sender,
    WebhooksConnections connections,
    IOptions<WebhooksOptions> options,
    ILogger<DispatcherWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Sender;
        if (!settings.RunDispatcher)
        {
            return;
        }

        await Task.Yield();
        using var signal = new SemaphoreSlim(0);
        var listening = NotificationListener.ListenAsync(connections.DataSource, connections.OutboxChannel, signal, logger, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var attempted = 0;
            try
            {
                attempted = await sender.DispatchDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Log.BackgroundPassFailed(logger, e);
            }

            if (attempted == 0) // a productive pass is followed at once by another, until nothing is due
            {
                try
                {
                    await signal.WaitAsync(settings.PollInterval, stoppingToken).ConfigureAwait(false);
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
