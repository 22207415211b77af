using System.Collections.Concurrent;

namespace Commerce.Caching.Internal;

/// <summary>
/// The generations this instance knows: one per scope, one per tag, and the one of "everything" (tag <c>*</c>).
/// Bounded: a state no entry can still be fresh under, and unused for <see cref="IdleAfter"/>, is retired and
/// dropped, so a scope per user or per SKU does not grow memory without bound.
/// </summary>
internal sealed class GenerationRegistry
{
    public const string GlobalTag = "*";

    /// <summary>How long a state must go unused before it can be dropped.</summary>
    public static readonly TimeSpan IdleAfter = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, GenerationState> _scopes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GenerationState> _tags = new(StringComparer.Ordinal);

    public GenerationState Global { get; } = new(GlobalTag);

    /// <summary>Scopes and tags tracked now (for <see cref="CommerceCacheStatus.TrackedGenerations"/>).</summary>
    public int Count => _scopes.Count + _tags.Count;

    public GenerationState Scope(string scope) => _scopes.GetOrAdd(scope, static s => new GenerationState(s));

    public GenerationState Tag(string tag) => tag == GlobalTag ? Global : _tags.GetOrAdd(tag, static t => new GenerationState(t));

    public bool TryGetScope(string scope, out GenerationState state) => _scopes.TryGetValue(scope, out state!);

    public bool TryGetTag(string tag, out GenerationState state)
    {
        if (tag == GlobalTag)
        {
            state = Global;
            return true;
        }

        return _tags.TryGetValue(tag, out state!);
    }

    public IEnumerable<GenerationState> Tags => _tags.Values;

    public IEnumerable<GenerationState> Scopes => _scopes.Values;

    /// <summary>Tag generations may have been missed (the channel was lost): they are read again before use.</summary>
    public void ForgetTags()
    {
        Global.Forget();
        foreach (var state in _tags.Values)
        {
            state.Forget();
        }
    }

    /// <summary>Drops states nothing can be fresh under any more and that went unused for <see cref="IdleAfter"/>.</summary>
    public int Prune(long now)
    {
        return Prune(_scopes, now) + Prune(_tags, now);

        static int Prune(ConcurrentDictionary<string, GenerationState> states, long now)
        {
            var dropped = 0;
            foreach (var (name, state) in states)
            {
                if (state.LastUsed == 0)
                {
                    state.Touch(now); // first seen by a sweep: its idle time starts now
                    continue;
                }

                if (state.KeepUntil < now && now - state.LastUsed > IdleAfter.Ticks)
                {
                    // Retire first: an entry stamped with it concurrently is then simply never fresh.
                    state.Retire();
                    if (states.TryRemove(new KeyValuePair<string, GenerationState>(name, state)))
                    {
                        dropped++;
                    }
                }
            }

            return dropped;
        }
    }
}
