namespace Commerce.Caching.Internal;

/// <summary>One versioned write to Redis (see <c>write.lua</c>).</summary>
/// <param name="Key">The cache key.</param>
/// <param name="Scope">Its scope, or null.</param>
/// <param name="Bytes">The entry (<see cref="EntryCodec"/>), or a tombstone.</param>
/// <param name="Ttl">How long Redis keeps it.</param>
/// <param name="Mode">What it is.</param>
/// <param name="Version">Its version (<see cref="WriteVersions"/>).</param>
/// <param name="Expected">For a factory's value: the version the reader saw, or null when there was no entry.</param>
/// <param name="LeaseToken">The distributed stampede lease to release, or null.</param>
/// <param name="Message">What to publish on the invalidation channel (see <see cref="WriteMessage"/>).</param>
/// <param name="GenerationTtl">The least TTL the scope's generation must keep: longer than this entry.</param>
internal readonly record struct RedisWrite(
    string Key,
    string? Scope,
    byte[] Bytes,
    TimeSpan Ttl,
    WriteMode Mode,
    long Version,
    long? Expected,
    string? LeaseToken,
    WriteMessage Message,
    TimeSpan GenerationTtl)
{
    /// <summary>True for a set or remove replayed after Redis was unreachable: written only over an older entry.</summary>
    public bool Replay { get; init; }
}

/// <summary>What a write publishes: nothing, that the key changed (to every other instance), or that a leased value was written.</summary>
/// <param name="Kind">'\0' nothing, <see cref="CacheMessages.Key"/> or <see cref="CacheMessages.Fill"/>.</param>
/// <param name="Body">The message after its kind (and, for a key change, after the version Redis gives the write).</param>
internal readonly record struct WriteMessage(char Kind, string Body)
{
    public static WriteMessage None => default;
}

/// <summary>The kinds of writes (the <c>mode</c> argument of <c>write.lua</c>).</summary>
internal enum WriteMode
{
    /// <summary>A factory's value: written only if the entry is still the one its reader saw.</summary>
    Fill,

    /// <summary>A set: always written (replayed: only over an older version).</summary>
    Set,

    /// <summary>A remove (a tombstone): always written (replayed: only over an older version).</summary>
    Remove,
}

/// <summary>How a write ended.</summary>
internal enum WriteOutcome
{
    /// <summary>Redis has it.</summary>
    Written,

    /// <summary>Redis answered, and a newer write (or a remove the factory did not see) won: nothing was written.</summary>
    Superseded,

    /// <summary>Redis could not be asked; nothing is known.</summary>
    Failed,
}
