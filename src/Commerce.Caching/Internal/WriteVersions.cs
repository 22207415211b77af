using System.Globalization;

namespace Commerce.Caching.Internal;

/// <summary>
/// Versions of writes (a value, a set, a remove), in microseconds of UTC time. Redis gives every write it runs its own
/// version (its clock, above the version it replaces, see <c>write.lua</c>); the one made here is this instance's
/// until Redis answers, and orders a write queued while Redis was unreachable against what Redis holds when it is
/// replayed. Never smaller than the previous one of this process; it fits the 16 ASCII digits of the entry layout
/// and a Lua number (below 2^53) exactly.
/// </summary>
internal sealed class WriteVersions(TimeProvider time)
{
    private long _last;

    public long Next()
    {
        var candidate = (time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        while (true)
        {
            var last = Volatile.Read(ref _last);
            var next = Math.Max(candidate, last + 1);
            if (Interlocked.CompareExchange(ref _last, next, last) == last)
            {
                return next;
            }
        }
    }

    /// <summary>The 16-digit form used in Redis (entry layout, script arguments, messages).</summary>
    public static string Format(long version) => version.ToString("D16", CultureInfo.InvariantCulture);
}
