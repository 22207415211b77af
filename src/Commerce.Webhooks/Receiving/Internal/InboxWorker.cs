using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.Webhooks.Internal;

/// <summary>
/// Processes the inbox in the background: keeps the processing slots busy while messages are due, woken by the
/// PostgreSQL wake-up when a message arrives or when a limited batch handler's batch finishes, and polling as a safety
/// net. On stop, running handlers are cancelled and their messages given back.
/// </summary>
internal sealed class InboxWorker(
    InboxPump pump,
    WebhooksConnections connections,
    IOptions<WebhooksOptions> options,
    ILogger<InboxWorker> logger) : BackgroundService
{
    private static readonly TimeSpan BusyClaimSpacing = TimeSpan.FromMilliseconds(100);

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
                    var (claimed, running, drained) = await pump.ClaimAndStartAsync(ct).ConfigureAwait(false);
                    return (drained ? 0 : claimed, running);   // drained: wait for a wake-up (or a finished batch) before claiming again
                },
                (wakeup, ct) => WaitForWorkAsync(wakeup, settings.InboxPollInterval, ct),
                logger,
                stoppingToken);
    }

    /// <summary>
    /// Waits for a wake-up, a finished limited batch or the poll. While a limited batch handler runs all the batches it
    /// may, its backlog stays in the inbox and every claim walks past it: then a wake-up (an arrival, which would find
    /// mostly that backlog) is taken at most every <see cref="BusyClaimSpacing"/>, while a finished batch still wakes at once.
    /// </summary>
    private async Task WaitForWorkAsync(SemaphoreSlim wakeup, TimeSpan pollInterval, CancellationToken stoppingToken)
    {
        var spacing = BusyClaimSpacing < pollInterval ? BusyClaimSpacing : pollInterval;
        if (pump.AnyLimitReached && await pump.Finished.WaitAsync(spacing, stoppingToken).ConfigureAwait(false))
        {
            return;
        }

        await ClaimLoop.WakeupOrFinishedAsync(wakeup, pump.Finished, pollInterval, stoppingToken).ConfigureAwait(false);
    }
}
