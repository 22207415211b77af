namespace Commerce.FlashSale;

/// <summary>A journal entry PostgreSQL could not take (unreadable, or refused by a constraint), parked so the journal keeps draining.</summary>
/// <param name="EntryId">The Redis stream entry id.</param>
/// <param name="Sequence">The sale's sequence number of the change, when the entry could be read.</param>
/// <param name="Error">Why it was refused.</param>
public sealed record ParkedJournalEntry(string EntryId, long? Sequence, string Error);
