using Commerce.Shared;
using Microsoft.Extensions.Logging;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// The thin facade of <see cref="IFlashSaleMaintenance"/>: each operation is its own class (<see cref="ExpirySweeper"/>,
/// <see cref="JournalDrainer"/>, <see cref="Reconciler"/>, <see cref="SaleRecovery"/>).
/// </summary>
internal sealed class FlashSaleMaintenance(
    FlashSaleConnections connections,
    FlashSaleOptions options,
    ExpirySweeper sweeper,
    JournalDrainer drainer,
    Reconciler reconciler,
    SaleRecovery recovery,
    ILogger<FlashSaleMaintenance> logger) : IFlashSaleMaintenance
{
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        var applied = await PostgresMigrator.ApplyAsync(connections.Postgres, options.Schema, typeof(FlashSaleMaintenance).Assembly, cancellationToken).ConfigureAwait(false);
        if (applied.Count > 0)
        {
            Log.MigrationsApplied(logger, string.Join(",", applied), options.Schema);
        }
    }

    public Task<int> SweepExpiredAsync(Guid saleId, CancellationToken cancellationToken = default) => sweeper.SweepAsync(saleId, cancellationToken);

    public Task<int> DrainJournalAsync(Guid saleId, CancellationToken cancellationToken = default) => drainer.DrainAsync(saleId, cancellationToken);

    public Task<ReconciliationReport> ReconcileAsync(Guid saleId, CancellationToken cancellationToken = default) => reconciler.ReconcileAsync(saleId, cancellationToken);

    public Task<bool> RebuildAsync(Guid saleId, bool force = false, CancellationToken cancellationToken = default) => recovery.RecoverAsync(saleId, force, cancellationToken);
}
