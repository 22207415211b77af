namespace Commerce.Analytics;

/// <summary>What an ingestion call did. Every call is idempotent and safe out of order.</summary>
public enum IngestOutcome
{
    /// <summary>It changed the stored state (and the reports).</summary>
    Applied,

    /// <summary>It was a duplicate, or older than what is stored: nothing changed.</summary>
    Ignored,

    /// <summary>A status change for an order not seen yet: kept, and applied when the order arrives (if newer).</summary>
    Deferred,
}
