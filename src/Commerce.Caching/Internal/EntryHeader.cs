namespace Commerce.Caching.Internal;

/// <summary>What an entry in Redis records about itself, ahead of the serialized value.</summary>
/// <param name="Version">The write's version (<see cref="WriteVersions"/>): later writes of a key have larger ones.</param>
/// <param name="CreatedAt">UTC ticks as of which the value was known to be current (before its factory ran).</param>
/// <param name="FreshUntil">UTC ticks until which the value is fresh.</param>
/// <param name="ScopeGeneration">The scope's generation the value was computed under (0 when unscoped).</param>
/// <param name="GlobalGeneration">The generation of "everything" (tag <c>*</c>) the value was computed under.</param>
/// <param name="FailSafe">Whether the value may be served after it expires, when its factory fails.</param>
/// <param name="Tombstone">The key was removed: there is no value, only the version of the removal.</param>
/// <param name="Tags">Each tag of the entry with the tag's generation the value was computed under.</param>
internal readonly record struct EntryHeader(
    long Version,
    long CreatedAt,
    long FreshUntil,
    long ScopeGeneration,
    long GlobalGeneration,
    bool FailSafe,
    bool Tombstone,
    KeyValuePair<string, long>[] Tags);
