using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.FlashSale.Internal;

/// <summary>Runs <see cref="SaleWorkers"/> every <see cref="FlashSaleOptions.JournalPollInterval"/> unless background work is off.</summary>
internal sealed class FlashSaleBackgroundService(
    SaleWorkers workers,
    IOptions<FlashSaleOptions> options,
    TimeProvider time,
    ILogger<FlashSaleBackgroundService> logger) : BackgroundService
{
    private readonly FlashSaleOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.RunBackgroundWorkers)
        {
            return;
        }

        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await workers.TickAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                Log.BackgroundPassFailed(logger, e);
            }

            try
            {
                await Task.Delay(_options.JournalPollInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await workers.DrainedAsync().ConfigureAwait(false);
    }
}
