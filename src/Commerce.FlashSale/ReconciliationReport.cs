namespace Commerce.FlashSale;

/// <summary>
/// The result of comparing a sale in Redis with PostgreSQL. Compare after the journal is drained
/// (<see cref="IFlashSaleMaintenance.DrainJournalAsync"/>), otherwise changes still on their way show as differences.
/// </summary>
/// <param name="SaleId">The sale.</param>
/// <param name="PendingJournalEntries">Journal entries not yet in PostgreSQL when compared.</param>
/// <param name="Differences">Every difference found; empty when they agree.</param>
public sealed record ReconciliationReport(Guid SaleId, long PendingJournalEntries, IReadOnlyList<ReconciliationDifference> Differences)
{
    /// <summary>Journal entries PostgreSQL refused and parked (dead letters), oldest first: each needs a look.</summary>
    public IReadOnlyList<ParkedJournalEntry> DeadLetters { get; init; } = [];

    /// <summary>True when Redis and PostgreSQL agree.</summary>
    public bool IsConsistent => Differences.Count == 0;
}
