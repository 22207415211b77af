using Microsoft.Extensions.Logging;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// Expires a sale's holds whose time has passed and returns their units, in script calls of at most
/// <see cref="FlashSaleOptions.SweepBatch"/> holds (capped, so no call blocks a Redis shard for long), in every bucket
/// of the sale; for a sale split over buckets it records the units back across buckets (<see cref="SplitStock"/>).
/// </summary>
internal sealed class ExpirySweeper(FlashSaleConnections connections, SaleBuckets buckets, SplitStock split, SaleClock clock, FlashSaleOptions options, FlashSaleMetrics metrics, ILogger logger)
{
    public async Task<int> SweepAsync(Guid saleId, CancellationToken cancellationToken)
    {
        using var activity = DefaultFlashSaleService.Activities.StartActivity("commerce.flash_sale.sweep");
        activity?.SetTag("commerce.flash_sale.id", saleId);
        var db = await connections.RedisAsync().ConfigureAwait(false);
        var count = await buckets.CountAsync(saleId).ConfigureAwait(false);
        var total = 0;
        var back = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, keys) in buckets.All(saleId, count))
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var reply = (StackExchange.Redis.RedisResult[])(await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.Sweep, keys, [clock.Now(), options.SweepBatch])).ConfigureAwait(false))!;
                var expired = (int)reply[0];
                for (var i = 1; i + 1 < reply.Length; i += 2)
                {
                    back[(string)reply[i]!] = back.GetValueOrDefault((string)reply[i]!) + (int)reply[i + 1];
                }

                total += expired;
                if (expired < options.SweepBatch)
                {
                    break;
                }
            }
        }

        if (count > 1 && back.Count > 0)
        {
            await split.UnitsBackAsync(saleId, back.Select(b => (b.Key, b.Value))).ConfigureAwait(false);
        }

        if (total > 0)
        {
            metrics.Expired(total);
            Log.HoldsExpired(logger, total, saleId);
        }

        return total;
    }
}
