using Microsoft.Extensions.Logging;

namespace Commerce.Webhooks.Internal;

/// <summary>
/// The loop both background workers run: claim and start work while there is some, and when a claim comes back
/// empty, wait for a PostgreSQL wake-up on the channel (or whatever else the worker waits for) with polling as the
/// safety net. A failed pass is logged and tried again; on stop it waits for the work it started.
/// </summary>
internal static class ClaimLoop
{
    public static async Task RunAsync(
        WebhooksConnections connections,
        string channel,
        Func<CancellationToken, Task<(int Claimed, Task Running)>> claimAndStart,
        Func<SemaphoreSlim, CancellationToken, Task> waitForWork,
        ILogger logger,
        CancellationToken stoppingToken)
    {
        await Task.Yield();
        using var wakeup = new SemaphoreSlim(0);
        var listening = PostgresWakeupListener.ListenAsync(connections.DataSource, channel, wakeup, logger, stoppingToken);
        var running = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                (claimed, var work) = await claimAndStart(stoppingToken).ConfigureAwait(false);
                running.RemoveAll(t => t.IsCompleted);
                running.Add(work.ContinueWith(
                    t =>
                    {
                        if (t.Exception is { } failure)
                        {
                            Log.BackgroundPassFailed(logger, failure);
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.None,
                    TaskScheduler.Default));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Log.BackgroundPassFailed(logger, e);
            }

            if (claimed == 0) // a productive pass is followed at once by another (the inbox reports a drained claim as 0)
            {
                try
                {
                    await waitForWork(wakeup, stoppingToken).ConfigureAwait(false);
                    stoppingToken.ThrowIfCancellationRequested();
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        await listening.ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for a wake-up, for <paramref name="finished"/> (work of this instance that frees room ended) or for the
    /// poll interval. The wait that loses is cancelled, so it can't take a later release meant for the next wait.
    /// </summary>
    public static async Task WakeupOrFinishedAsync(SemaphoreSlim wakeup, SemaphoreSlim finished, TimeSpan pollInterval, CancellationToken stoppingToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var woken = wakeup.WaitAsync(pollInterval, either.Token);
        var freed = finished.WaitAsync(pollInterval, either.Token);
        await Task.WhenAny(woken, freed).ConfigureAwait(false);
        await either.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(woken, freed).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
        }

        stoppingToken.ThrowIfCancellationRequested();
    }
}
