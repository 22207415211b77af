using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Commerce.Caching.Internal;

/// <summary>
/// Runs the declared warm-ups once the host has started (every hosted service, database migrations included), in the
/// background: start and readiness never wait for it. At most <see cref="CommerceCacheOptions.WarmupConcurrency"/>
/// entries load at once. A failing entry, or a warm-up that fails to list its entries, is logged and counted, never
/// fatal: those entries load on first use instead.
/// </summary>
internal sealed class CacheWarmupService(
    CommerceCache cache,
    IEnumerable<ICommerceCacheWarmup> warmups,
    CacheWarmupProgress progress,
    IOptions<CommerceCacheOptions> options,
    IHostApplicationLifetime? lifetime = null,
    ILoggerFactory? loggerFactory = null) : BackgroundService
{
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Commerce.Caching");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        progress.Start();
        try
        {
            await StartedAsync(stoppingToken).ConfigureAwait(false);
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.WarmupConcurrency, CancellationToken = stoppingToken };
            foreach (var warmup in warmups)
            {
                try
                {
                    await Parallel.ForEachAsync(warmup.GetEntriesAsync(stoppingToken), parallel, WarmOneAsync).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    progress.OnFailed();
                    Log.WarmupEntryFailed(_logger, warmup.GetType().Name, e);
                }
            }

            Log.WarmupFinished(_logger, progress.Warmed, progress.Failed);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the host is stopping
        }
        finally
        {
            progress.Stop();
        }
    }

    /// <summary>Completes once the application has started (at once when there is no host lifetime).</summary>
    private async Task StartedAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // never run on the host's start path
        if (lifetime is null || lifetime.ApplicationStarted.IsCancellationRequested)
        {
            return;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), started))
        using (stoppingToken.Register(static s => ((TaskCompletionSource)s!).TrySetCanceled(), started))
        {
            await started.Task.ConfigureAwait(false);
        }
    }

    private async ValueTask WarmOneAsync(CacheWarmupEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await entry.WarmAsync(cache, cancellationToken).ConfigureAwait(false);
            progress.OnWarmed();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            progress.OnFailed();
            Log.WarmupEntryFailed(_logger, entry.Key, e);
        }
    }
}
