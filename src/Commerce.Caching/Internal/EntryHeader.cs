namespace Commerce.Caching.Internal;

/// <summary>What an entry in Redis records about itself, ahead of the serialized value.</summary>
internal readonly record struct EntryHeader(
    long CreatedAt,
    long FreshUntil,
    long ScopeGeneration,
    long GlobalGeneration,
    bool FailSafe,
    KeyValuePair<string, long>[] Tags);
