using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.Webhooks.Internal;

/// <summary>
/// Processes the inbox in the background: keeps the processing slots busy while messages are due, woken by the
/// PostgreSQL wake-up when a message arrives and polling as a safety net. On stop, running handlers are cancelled and
/// their messages given back.
/// </summary>
internal sealed class InboxWorker(
    InboxPump pump,
    WebhooksConnections connections,
    IOptions<WebhooksOptions> options,
    ILogger<InboxWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        return !settings.RunInboxProcessor
            ? Task.CompletedTask
            : ClaimLoop.RunAsync(
                connections,
                connections.InboxChannel,
                async ct =>
                {
                    await pump.WaitForSlotAsync(ct).ConfigureAwait(false);
                    return await pump.ClaimAndStartAsync(ct).ConfigureAwait(false);
                },
                (wakeup, ct) => wakeup.WaitAsync(settings.InboxPollInterval, ct),
                logger,
                stoppingToken);
    }
}
