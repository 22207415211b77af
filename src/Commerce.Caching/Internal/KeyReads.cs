using System.Collections.Concurrent;

namespace Commerce.Caching.Internal;

/// <summary>
/// The Redis reads of each key in flight in this instance, and the writes of the key while they are: other instances'
/// (their key-changed messages, with the version Redis gave the write) and this instance's own sets and removes (from
/// before they reach Redis until after). An entry such a read returns that may be older than the write is still
/// answered to its caller (it is what Redis held when it was read) but not kept in memory, where it would hide the write
/// for its whole local duration: the message that would have dropped it may have come before the read's reply, and an
/// instance does not hear its own. Only keys being read or written are tracked, so memory stays bounded by them.
/// </summary>
internal sealed class KeyReads
{
    private readonly ConcurrentDictionary<string, Watch> _watches = new(StringComparer.Ordinal);

    /// <summary>Starts watching <paramref name="key"/> for the length of one read and what is done with its entry.</summary>
    public Handle Begin(string key)
    {
        var watch = Join(key);
        return new Handle(this, key, watch, Volatile.Read(ref watch.LocalWrites));
    }

    /// <summary>
    /// This instance sets or removes <paramref name="key"/>: until the handle is disposed (after Redis answered), and for
    /// every read in flight meanwhile, what a read returns is not kept in memory.
    /// </summary>
    public WriteHandle BeginWrite(string key)
    {
        var watch = Join(key);
        Interlocked.Increment(ref watch.LocalWrites);
        Interlocked.Increment(ref watch.Writing);
        return new WriteHandle(this, key, watch);
    }

    private Watch Join(string key)
    {
        while (true)
        {
            var watch = _watches.GetOrAdd(key, static _ => new Watch());
            lock (watch)
            {
                if (watch.Readers >= 0)
                {
                    watch.Readers++;
                    return watch;
                }
            }

            // retired by its last reader meanwhile: a new one is added
        }
    }

    /// <summary>Another instance wrote <paramref name="key"/> with this (Redis) version while its reads here were on their way.</summary>
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

    /// <summary>The watch of one key, shared by its reads and writes in flight.</summary>
    internal sealed class Watch
    {
        internal int Readers;   // reads and writes holding it; -1 once retired
        internal long Announced;   // the newest version another instance announced
        internal long LocalWrites;   // moved on when a write of this instance starts and when it ends
        internal int Writing;   // writes of this instance in flight
    }

    /// <summary>One read's hold on its key's watch; disposing it ends the read. The default handle watches nothing.</summary>
    internal readonly struct Handle(KeyReads? owner, string? key, Watch? watch, long localWrites) : IDisposable
    {
        /// <summary>
        /// Whether an entry of <paramref name="version"/> may be older than a write made since the read began: another
        /// instance announced a newer one, or this instance wrote the key meanwhile.
        /// </summary>
        public bool Outdates(long version) =>
            watch is not null && (Volatile.Read(ref watch.Announced) > version || Volatile.Read(ref watch.Writing) > 0
                                  || Volatile.Read(ref watch.LocalWrites) != localWrites);

        public void Dispose() => owner?.End(key!, watch!);
    }

    /// <summary>One local write's hold on its key's watch; the default handle holds nothing.</summary>
    internal readonly struct WriteHandle(KeyReads? owner, string? key, Watch? watch) : IDisposable
    {
        public void Dispose()
        {
            if (owner is null)
            {
                return;
            }

            Interlocked.Decrement(ref watch!.Writing);
            Interlocked.Increment(ref watch.LocalWrites);
            owner.End(key!, watch);
        }
    }
}
