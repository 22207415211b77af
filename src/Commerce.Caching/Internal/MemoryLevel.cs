using System.Collections.Concurrent;

namespace Commerce.Caching.Internal;

/// <summary>
/// The in-process level: a concurrent dictionary bounded by <c>maxEntries</c>. A read is one lookup with no
/// allocation. When the bound is passed, a background compaction drops entries past retention, then the least
/// recently read, down to 90% of the bound.
/// </summary>
internal sealed class MemoryLevel(int maxEntries, Action<int> onEvicted)
{
    private int MaxEntries => maxEntries;
    private readonly ConcurrentDictionary<string, MemoryEntry> _entries = new(StringComparer.Ordinal);
    private int _count;
    private int _compacting;

    public int Count => Volatile.Read(ref _count);

    public bool TryGet(string key, out MemoryEntry entry) => _entries.TryGetValue(key, out entry!);

    public void Set(string key, MemoryEntry entry, long now)
    {
        while (true)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                if (_entries.TryUpdate(key, entry, existing))
                {
                    return;
                }
            }
            else if (_entries.TryAdd(key, entry))
            {
                if (Interlocked.Increment(ref _count) > maxEntries)
                {
                    ScheduleCompaction(now);
                }

                return;
            }
        }
    }

    public void Remove(string key)
    {
        if (_entries.TryRemove(key, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    public void Remove(string key, MemoryEntry entry)
    {
        if (_entries.TryRemove(new KeyValuePair<string, MemoryEntry>(key, entry)))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    /// <summary>Drops entries whose retention has passed.</summary>
    public void SweepExpired(long now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (entry.RetainUntil <= now)
            {
                Remove(key, entry);
            }
        }
    }

    private void ScheduleCompaction(long now)
    {
        if (Interlocked.CompareExchange(ref _compacting, 1, 0) != 0)
        {
            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(
            static state =>
            {
                var (self, now) = state;
                try
                {
                    self.Compact(now);
                }
                finally
                {
                    Volatile.Write(ref self._compacting, 0);
                }

                // Entries added while it ran did not schedule another: check once more.
                if (self.Count > self.MaxEntries)
                {
                    self.ScheduleCompaction(now);
                }
            },
            (this, now),
            preferLocal: false);
    }

    internal void Compact(long now)
    {
        SweepExpired(now);
        var target = (int)(maxEntries * 0.9);
        var excess = Count - target;
        if (excess <= 0)
        {
            return;
        }

        // Least recently read first: find the access time below which 'excess' entries lie.
        var accesses = _entries.Values.Select(e => Volatile.Read(ref e.LastAccess)).ToArray();
        if (accesses.Length == 0)
        {
            return;
        }

        Array.Sort(accesses);
        var threshold = accesses[Math.Min(excess, accesses.Length) - 1];
        var evicted = 0;
        foreach (var (key, entry) in _entries)
        {
            if (evicted >= excess)
            {
                break;
            }

            if (Volatile.Read(ref entry.LastAccess) <= threshold && _entries.TryRemove(new KeyValuePair<string, MemoryEntry>(key, entry)))
            {
                Interlocked.Decrement(ref _count);
                evicted++;
            }
        }

        if (evicted > 0)
        {
            onEvicted(evicted);
        }
    }
}
