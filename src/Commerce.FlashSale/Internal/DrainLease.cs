using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// The one lease per sale under which its journal is drained and its Redis state rebuilt (so the two never interleave on
/// one Redis). Renewed and released only by its owner (compare-and-extend). A lease left by another incarnation of the
/// Redis server (restored from a snapshot, or replicated from a failed primary) is taken over at once (see
/// <c>lease_acquire.lua</c>); PostgreSQL's epoch fence covers whatever a former holder still writes.
/// </summary>
internal sealed class DrainLease(FlashSaleConnections connections, FlashSaleKeys keys, TimeSpan duration)
{
    private readonly string _instance = $"{Environment.MachineName}:{Guid.NewGuid():N}";
    private long _counter;

    /// <summary>The lease's token, or null when another owner holds it.</summary>
    public async Task<string?> TryAcquireAsync(Guid saleId)
    {
        var db = await connections.RedisAsync().ConfigureAwait(false);
        var token = $"{_instance}:{Interlocked.Increment(ref _counter)}";
        var taken = await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.LeaseAcquire, [keys.DrainLease(saleId)], [token, (long)duration.TotalMilliseconds])).ConfigureAwait(false);
        return taken.IsNull ? null : (string?)taken;
    }

    /// <summary>Extends the lease if it is still <paramref name="token"/>'s; false when it was lost.</summary>
    public async Task<bool> RenewAsync(Guid saleId, string token)
    {
        var db = await connections.RedisAsync().ConfigureAwait(false);
        var renewed = await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.LeaseRenew, [keys.DrainLease(saleId)], [token, (long)duration.TotalMilliseconds])).ConfigureAwait(false);
        return (long)renewed == 1;
    }

    public async Task ReleaseAsync(Guid saleId, string token)
    {
        try
        {
            var db = await connections.RedisAsync().ConfigureAwait(false);
            await db.ScriptEvaluateAsync(FlashSaleScripts.LeaseRelease, [keys.DrainLease(saleId)], [token]).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // it expires by itself
        }
    }
}
