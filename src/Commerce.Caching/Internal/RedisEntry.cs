namespace Commerce.Caching.Internal;

/// <summary>What Redis holds for a key, judged against the generations read with it.</summary>
internal enum RedisEntryStatus
{
    /// <summary>Redis could not be asked: nothing is known.</summary>
    Unreachable,

    /// <summary>No entry.</summary>
    Absent,

    /// <summary>The key was removed (a tombstone).</summary>
    Removed,

    /// <summary>An entry that may be served.</summary>
    Fresh,

    /// <summary>An entry past its duration, or invalidated: at most a fail-safe fallback.</summary>
    Stale,
}

/// <summary>One entry read by <see cref="RedisEntryReader"/>.</summary>
/// <param name="Status">What was found.</param>
/// <param name="Header">The entry's header, unless <see cref="RedisEntryStatus.Unreachable"/> or <see cref="RedisEntryStatus.Absent"/>.</param>
/// <param name="Payload">The serialized value.</param>
/// <param name="Tags">The entry's tags with the generations it was computed under.</param>
internal readonly record struct RedisEntry(RedisEntryStatus Status, EntryHeader Header, ReadOnlyMemory<byte> Payload, TagStamp[] Tags)
{
    /// <summary>The version a factory's value must still find in Redis to be written: null when there was no entry.</summary>
    public long? ObservedVersion => Status is RedisEntryStatus.Removed or RedisEntryStatus.Fresh or RedisEntryStatus.Stale ? Header.Version : null;

    public bool Reachable => Status != RedisEntryStatus.Unreachable;

    public static RedisEntry Absent { get; } = new(RedisEntryStatus.Absent, default, default, []);
}
