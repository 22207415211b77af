namespace Commerce.Caching.Internal;

/// <summary>
/// This instance's knowledge of the generation of one scope or tag. Redis holds the truth (a counter that only
/// grows); an invalidation moves it on there and announces the new value. An entry records the generation it was
/// computed under and is stale once the generation moves on. The knowledge here only moves forward, and it is the
/// floor every Redis read passes, so a generation that went back in Redis (a failover lost an increment) is raised
/// again instead of making old entries fresh.
/// </summary>
internal sealed class GenerationState(string name)
{
    private long _generation;
    private long _firstRead;
    private long _keepUntil;
    private long _lastUsed;
    private volatile bool _known;
    private volatile bool _retired;

    public string Name { get; } = name;

    public long Generation => Volatile.Read(ref _generation);

    /// <summary>True once the generation was read from Redis (or heard) since the last time it could have been missed.</summary>
    public bool Known => _known;

    /// <summary>
    /// True once the registry dropped this state (unused for long). Entries still holding it are never fresh again,
    /// since invalidations now reach the state that replaced it.
    /// </summary>
    public bool Retired => _retired;

    /// <summary>UTC ticks until which an entry stamped with this state may still be fresh.</summary>
    public long KeepUntil => Volatile.Read(ref _keepUntil);

    /// <summary>UTC ticks of the last time an entry or a flight used this state.</summary>
    public long LastUsed => Volatile.Read(ref _lastUsed);

    /// <summary>Moves the generation forward to <paramref name="generation"/> (never back) and marks it known.</summary>
    public void Advance(long generation)
    {
        var current = Volatile.Read(ref _generation);
        while (generation > current)
        {
            var seen = Interlocked.CompareExchange(ref _generation, generation, current);
            if (seen == current)
            {
                break;
            }

            current = seen;
        }

        _known = true;
    }

    /// <summary>
    /// A generation read from Redis: as <see cref="Advance"/>, and when nothing was known before (0), remembered as the
    /// first value read, which a flight stamped before it still matches (<see cref="Matches"/>).
    /// </summary>
    public void Read(long generation)
    {
        if (generation > 0 && Interlocked.CompareExchange(ref _generation, generation, 0) == 0)
        {
            Volatile.Write(ref _firstRead, generation);
            _known = true;
            return;
        }

        Advance(generation);
    }

    /// <summary>
    /// Whether something stamped with <paramref name="stamped"/> is still current: the generation has not moved on. A
    /// stamp of 0 (taken before anything was known) also matches the first value read from Redis: learning the value a
    /// scope has had all along is not an invalidation (a burst of callers of a new scope would otherwise start a second
    /// load as soon as the first one's read came back). A value heard in an invalidation is never such a first read.
    /// </summary>
    public bool Matches(long stamped)
    {
        var current = Generation;
        return current == stamped || (stamped == 0 && current != 0 && current == Volatile.Read(ref _firstRead));
    }

    /// <summary>
    /// An invalidation applied here before Redis has it (memory-only, Redis unreachable, or while Redis answers):
    /// moves the generation on locally, so this instance stops serving the old entries at once.
    /// </summary>
    public long IncrementLocal() => Interlocked.Increment(ref _generation);

    /// <summary>Invalidations may have been missed: the next reader reloads the generation from Redis.</summary>
    public void Forget() => _known = false;

    /// <summary>Records that an entry stamped with this state may be fresh until <paramref name="until"/>.</summary>
    public void Hold(long until, long now)
    {
        var current = Volatile.Read(ref _keepUntil);
        while (until > current)
        {
            var seen = Interlocked.CompareExchange(ref _keepUntil, until, current);
            if (seen == current)
            {
                break;
            }

            current = seen;
        }

        Touch(now);
    }

    /// <summary>Records a use, kept coarse (at most one write a second).</summary>
    public void Touch(long now)
    {
        if (now - Volatile.Read(ref _lastUsed) > TimeSpan.TicksPerSecond)
        {
            Volatile.Write(ref _lastUsed, now);
        }
    }

    public void Retire() => _retired = true;
}
