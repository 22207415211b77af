using System.Collections.Concurrent;

namespace Commerce.Caching.Internal;

/// <summary>
/// The Redis reads of each key in flight in this instance, and the newest write announced for the key while they are:
/// this instance's own sets and removes, and the key-changed messages of other instances. An entry such a read returns
/// that is older than the write is still answered to its caller (it is what Redis held when it was read) but not kept
/// in memory, where it would hide the write for its whole local duration: the message that would have dropped it may
/// have come before the read's reply. Only keys being read are tracked, so memory stays bounded by reads in flight.
/// </summary>
internal sealed class KeyReads
{
    private readonly ConcurrentDictionary<string, Watch> _watches = new(StringComparer.Ordinal);

    /// <summary>Starts watching <paramref name="key"/> for the length of one read and what is done with its entry.</summary>
    public Handle Begin(string key)
    {
        while (true)
        {
            var watch = _watches.GetOrAdd(key, static _ => new Watch());
            lock (watch)
            {
                if (watch.Readers >= 0)
                {
                    watch.Readers++;
                    return new Handle(this, key, watch);
                }
            }

            // retired by its last reader meanwhile: a new one is added
        }
    }

    /// <summary>
    /// A write of <paramref name="key"/> with this version (its Redis version; <see cref="long.MaxValue"/> for this
    /// instance's own, whose Redis version is not known yet) happened while its reads in flight were on their way.
    /// </summary>
    public void Announce(string key, long version)
    {
        if (!_watches.TryGetValue(key, out var watch))
        {
            return;
        }

        var seen = Volatile.Read(ref watch.Announced);
        while (version > seen)
        {
            var previous = Interlocked.CompareExchange(ref watch.Announced, version, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    private void End(string key, Watch watch)
    {
        lock (watch)
        {
            if (--watch.Readers == 0)
            {
                watch.Readers = -1;
                _watches.TryRemove(new KeyValuePair<string, Watch>(key, watch));
            }
        }
    }

    /// <summary>The watch of one key, shared by its reads in flight.</summary>
    internal sealed class Watch
    {
        internal int Readers;   // -1 once retired
        internal long Announced;
    }

    /// <summary>One read's hold on its key's watch; disposing it ends the read. The default handle watches nothing.</summary>
    internal readonly struct Handle(KeyReads? owner, string? key, Watch? watch) : IDisposable
    {
        /// <summary>Whether a write newer than <paramref name="version"/> was announced since the read began.</summary>
        public bool Outdates(long version) => watch is not null && Volatile.Read(ref watch.Announced) > version;

        public void Dispose() => owner?.End(key!, watch!);
    }
}
