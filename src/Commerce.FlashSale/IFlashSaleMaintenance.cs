namespace Commerce.FlashSale;

/// <summary>Operations behind the scenes: migrations, expiry, the journal, and recovery when Redis loses data.</summary>
public interface IFlashSaleMaintenance
{
    /// <summary>Creates or upgrades the PostgreSQL schema (also done at start unless turned off).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the schema is current.</returns>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>Expires every hold of a sale whose time has passed (the background sweeper does this every second).</summary>
    /// <param name="saleId">The sale.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many holds expired.</returns>
    Task<int> SweepExpiredAsync(Guid saleId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a sale's pending journal entries to PostgreSQL and delivers their events (the background worker does
    /// this continuously). Only one instance drains a sale at a time; this returns 0 if another one is.
    /// </summary>
    /// <param name="saleId">The sale.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many entries were persisted.</returns>
    Task<int> DrainJournalAsync(Guid saleId, CancellationToken cancellationToken = default);

    /// <summary>Compares a sale in Redis with PostgreSQL.</summary>
    /// <param name="saleId">The sale.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The differences found.</returns>
    Task<ReconciliationReport> ReconcileAsync(Guid saleId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Restores a sale's Redis state from PostgreSQL, after Redis lost it. Changes still in the journal when Redis
    /// lost its data are lost with it. Without <paramref name="force"/> it refuses to overwrite a sale Redis still has.
    /// </summary>
    /// <param name="saleId">The sale.</param>
    /// <param name="force">Overwrite even if Redis still holds the sale (drain its journal first).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when rebuilt; false when Redis still had the sale and <paramref name="force"/> was false.</returns>
    /// <exception cref="InvalidOperationException">PostgreSQL has no such sale.</exception>
    Task<bool> RebuildAsync(Guid saleId, bool force = false, CancellationToken cancellationToken = default);
}
