using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// The background work of each active sale, every <see cref="FlashSaleOptions.JournalPollInterval"/>: move its phase
/// along (lifecycle, in every bucket), undo moves between buckets their mover never finished and record units back a
/// dead process did not, expire due holds (every <see cref="FlashSaleOptions.SweepInterval"/>), drain its journal, check
/// that Redis did not lose it, and retire it once done. Each sale runs as its own task, so one stuck sale (a hung
/// subscriber, a slow PostgreSQL statement) never delays the others.
/// </summary>
internal sealed class SaleWorkers(
    FlashSaleConnections connections,
    SaleBuckets buckets,
    SplitStock split,
    SaleClock clock,
    ActiveSaleRegistry registry,
    ExpirySweeper sweeper,
    SoldOutMemory soldOut,
    JournalDrainer drainer,
    SaleRecovery recovery,
    PostgresSaleStore sales,
    FlashSaleOptions options,
    TimeProvider time,
    ILogger logger)
{
    private static readonly TimeSpan HealthInterval = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<Guid, SaleWork> _work = new();

    /// <summary>Starts a pass for every active sale that has none running; returns without waiting for them.</summary>
    public async Task TickAsync(CancellationToken stoppingToken)
    {
        var active = await registry.ActiveAsync(stoppingToken).ConfigureAwait(false);
        foreach (var sale in active)
        {
            var work = _work.GetOrAdd(sale, static _ => new SaleWork());
            if (work.Running is { IsCompleted: false })
            {
                continue;
            }

            work.Running = Task.Run(() => PassAsync(sale, work, stoppingToken), CancellationToken.None);
        }

        foreach (var gone in _work.Keys.Except(active).ToArray())
        {
            if (_work.TryGetValue(gone, out var work) && work.Running is not { IsCompleted: false })
            {
                _work.TryRemove(gone, out _);
            }
        }
    }

    /// <summary>Waits for the passes in flight (at stop).</summary>
    public Task DrainedAsync() => Task.WhenAll(_work.Values.Select(w => w.Running ?? Task.CompletedTask));

    private async Task PassAsync(Guid sale, SaleWork work, CancellationToken stoppingToken)
    {
        try
        {
            var db = await connections.RedisAsync().ConfigureAwait(false);
            var count = await buckets.CountAsync(sale).ConfigureAwait(false);
            string? phase = null;
            foreach (var (_, keys) in buckets.All(sale, count).Reverse())
            {
                // bucket 0 (which records the move) last: its phase is the sale's
                phase = (string?)await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.Lifecycle, keys, [clock.Now()])).ConfigureAwait(false);
            }

            if (count > 1)
            {
                await split.ReclaimAsync(sale, count).ConfigureAwait(false);
                await split.HealSoldOutAsync(sale, count).ConfigureAwait(false);
            }

            if (work.LastSweep == 0 || time.GetElapsedTime(work.LastSweep) >= options.SweepInterval)
            {
                work.LastSweep = time.GetTimestamp();
                if (await sweeper.SweepAsync(sale, stoppingToken).ConfigureAwait(false) > 0)
                {
                    soldOut.Forget(sale);   // expired holds gave their units back
                }
            }

            await drainer.DrainAsync(sale, stoppingToken).ConfigureAwait(false);
            if (phase is "not_found" or "recovering" || work.LastHealth == 0 || time.GetElapsedTime(work.LastHealth) >= HealthInterval)
            {
                work.LastHealth = time.GetTimestamp();
                await recovery.CheckAsync(sale, stoppingToken).ConfigureAwait(false);
            }

            if (phase is "ended" or "cancelled")
            {
                await RetireIfDoneAsync(db, sale, count, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            Log.SalePassFailed(logger, sale, e);
        }
    }

    /// <summary>Stops looking after a sale that is over: no hold left and journal drained.</summary>
    private async Task RetireIfDoneAsync(StackExchange.Redis.IDatabase db, Guid sale, int count, CancellationToken cancellationToken)
    {
        foreach (var (_, keys) in buckets.All(sale, count))
        {
            var held = await db.SortedSetLengthAsync(keys[4]).ConfigureAwait(false);
            var journal = await db.StreamLengthAsync(keys[5]).ConfigureAwait(false);
            if (held > 1 || journal > 1) // more than the placeholders
            {
                return;
            }
        }

        await sales.RetireAsync(sale, cancellationToken).ConfigureAwait(false);
        registry.Invalidate();
    }

    private sealed class SaleWork
    {
        public Task? Running { get; set; }

        public long LastSweep { get; set; }

        public long LastHealth { get; set; }
    }
}
