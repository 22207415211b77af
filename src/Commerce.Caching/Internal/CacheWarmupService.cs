using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Commerce.Caching.Internal;

/// <summary>
/// Runs the declared warm-ups after the host has started, in the background (start and readiness never wait for it),
/// loading at most <see cref="CommerceCacheOptions.WarmupConcurrency"/> entries at once. A failing entry is logged and
/// counted; it loads on first use instead.
/// </summary>
internal sealed class CacheWarmupService(
    CommerceCache cache,
    IEnumerable<ICommerceCacheWarmup> warmups,
    CacheWarmupProgress progress,
    IOptions<CommerceCacheOptions> options,
    ILoggerFactory? loggerFactory = null) : BackgroundService
{
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Commerce.Caching");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // let the host finish starting first
        progress.Start();
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.WarmupConcurrency, CancellationToken = stoppingToken };
            foreach (var warmup in warmups)
            {
                await Parallel.ForEachAsync(warmup.GetEntriesAsync(stoppingToken), parallel, WarmOneAsync).ConfigureAwait(false);
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
