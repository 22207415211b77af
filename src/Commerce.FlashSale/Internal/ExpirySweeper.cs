using Microsoft.Extensions.Logging;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// Expires a sale's holds whose time has passed and returns their units, in script calls of at most
/// <see cref="FlashSaleOptions.SweepBatch"/> holds (capped, so no call blocks a Redis shard for long).
/// </summary>
internal sealed class ExpirySweeper(FlashSaleConnections connections, FlashSaleKeys keys, SaleClock clock, FlashSaleOptions options, FlashSaleMetrics metrics, ILogger logger)
{
    public async Task<int> SweepAsync(Guid saleId, CancellationToken cancellationToken)
    {
        using var activity = DefaultFlashSaleService.Activities.StartActivity("commerce.flash_sale.sweep");
        activity?.SetTag("commerce.flash_sale.id", saleId);
        var db = await connections.RedisAsync().ConfigureAwait(false);
        var total = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var expired = (int)await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.Sweep, keys.For(saleId), [clock.Now(), options.SweepBatch])).ConfigureAwait(false);
            total += expired;
            if (expired < options.SweepBatch)
            {
                break;
            }
        }

        if (total > 0)
        {
            metrics.Expired(total);
            Log.HoldsExpired(logger, total, saleId);
        }

        return total;
    }
}
