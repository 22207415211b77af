using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// Two loops over the active sales: the expiry sweeper (returns the units of holds whose time has passed, in bounded
/// steps) and the journal worker (drains each sale's journal into PostgreSQL and delivers events).
/// </summary>
internal sealed class FlashSaleBackgroundService(
    IFlashSaleMaintenance maintenance,
    IOptions<FlashSaleOptions> options,
    TimeProvider time,
    ILogger<FlashSaleBackgroundService> logger) : BackgroundService
{
    private readonly FlashSaleMaintenance _maintenance = (FlashSaleMaintenance)maintenance;
    private readonly FlashSaleOptions _options = options.Value;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _options.RunBackgroundWorkers
            ? Task.WhenAll(
                LoopAsync(_options.SweepInterval, SweepAsync, stoppingToken),
                LoopAsync(_options.JournalPollInterval, DrainAsync, stoppingToken))
            : Task.CompletedTask;

    private async Task LoopAsync(TimeSpan interval, Func<Guid, CancellationToken, Task> pass, CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var sale in await _maintenance.ActiveSalesAsync().ConfigureAwait(false))
                {
                    await pass(sale, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                Log.BackgroundPassFailed(logger, e);
            }

            try
            {
                await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SweepAsync(Guid sale, CancellationToken stoppingToken)
    {
        try
        {
            await _maintenance.SweepExpiredAsync(sale, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FlashSaleUnavailableException && !stoppingToken.IsCancellationRequested)
        {
            Log.SweepFailed(logger, sale, e);
        }
    }

    private async Task DrainAsync(Guid sale, CancellationToken stoppingToken)
    {
        try
        {
            await _maintenance.DrainJournalAsync(sale, stoppingToken).ConfigureAwait(false);
            await _maintenance.RetireIfDoneAsync(sale, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FlashSaleUnavailableException or Npgsql.NpgsqlException && !stoppingToken.IsCancellationRequested)
        {
            Log.JournalDrainFailed(logger, sale, e);
        }
    }
}
