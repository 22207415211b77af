namespace Commerce.Caching.Internal;

/// <summary>
/// This instance's knowledge of the generation of one scope or tag. Redis holds the truth (a counter that
/// only grows); an invalidation increments it there and announces the new value. An entry records the
/// generation it was computed under and is stale once the generation moves on.
/// </summary>
internal sealed class GenerationState(string name)
{
    private long _generation;
    private volatile bool _known;

    public string Name { get; } = name;

    public long Generation => Volatile.Read(ref _generation);

    /// <summary>True once the generation was read from Redis (or heard) since the last time it could have been missed.</summary>
    public bool Known => _known;

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

    /// <summary>Memory-only mode: an invalidation is a local increment.</summary>
    public long IncrementLocal()
    {
        _known = true;
        return Interlocked.Increment(ref _generation);
    }

    /// <summary>Invalidations may have been missed: the next reader reloads the generation from Redis.</summary>
    public void Forget() => _known = false;
}
