using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.Webhooks.Internal;

/// <summary>
/// Delivers the outbox in the background: claims again whenever slots are free and messages are due, woken by the
/// PostgreSQL wake-up when a message is accepted, by a finished delivery (its endpoint has room again), and by polling
/// as a safety net. It never waits for one set of deliveries to finish before starting the next.
/// </summary>
internal sealed class DispatcherWorker(
    OutboxDispatcher dispatcher,
    WebhooksConnections connections,
    IOptions<WebhooksOptions> options,
    ILogger<DispatcherWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Sender;
        return !settings.RunDispatcher
            ? Task.CompletedTask
            : ClaimLoop.RunAsync(
                connections,
                connections.OutboxChannel,
                ct => dispatcher.ClaimAndStartAsync(ct),
                (wakeup, ct) => ClaimLoop.WakeupOrFinishedAsync(wakeup, dispatcher.Finished, settings.PollInterval, ct),
                logger,
                stoppingToken);
    }
}
