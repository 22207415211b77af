// The usage example of src/Commerce.Caching/README.md, compiled with the sample so the README can't rot.
using System.ComponentModel;
using System.Runtime.CompilerServices;
using Commerce.Caching;

namespace Commerce.Caching.Sample;

// Immutable and marked so: every caller shares the cached instance (a memory hit allocates nothing).
[ImmutableObject(true)]
public sealed record SalesSummary(decimal Revenue, int Orders);

public sealed class ReportQueries
{
    public ValueTask<SalesSummary> SalesAsync(int shopId, DateOnly month, CancellationToken ct) =>
        ValueTask.FromResult(new SalesSummary(shopId * 100m + month.Month, 3));

    private static readonly int[] Shops = [1, 2, 3];

    public Task<int[]> ActiveShopsAsync(CancellationToken ct) => Task.FromResult(Shops);
}

public sealed class ReportService(CommerceCache cache, ReportQueries queries)
{
    // One options object per kind of data, reused: a memory hit then allocates nothing.
    private static readonly CommerceCacheEntryOptions Sales = new() { Duration = TimeSpan.FromMinutes(15) };

    public ValueTask<SalesSummary> GetSalesAsync(int shopId, DateOnly month, CancellationToken ct) =>
        cache.GetOrSetAsync(
            $"shop:{shopId}:sales:{month:yyyy-MM}",            // the key, unique on its own
            (queries, shopId, month),                            // state: no closure
            static (s, ct) => s.queries.SalesAsync(s.shopId, s.month, ct),
            Sales,
            scope: $"shop:{shopId}",                             // invalidated together
            cancellationToken: ct);

    // A webhook for the shop arrived: every cached report of that shop, on every instance, in one Redis command.
    public ValueTask OnShopChangedAsync(int shopId, CancellationToken ct) =>
        cache.InvalidateScopeAsync($"shop:{shopId}", ct);
}

// Registered with .WithWarmup<SalesWarmup>(): runs in the background after the host starts.
public sealed class SalesWarmup(ReportQueries queries, TimeProvider time) : ICommerceCacheWarmup
{
    private static readonly CommerceCacheEntryOptions Sales = new() { Duration = TimeSpan.FromMinutes(15) };

    public async IAsyncEnumerable<CacheWarmupEntry> GetEntriesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var month = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        foreach (var shopId in await queries.ActiveShopsAsync(cancellationToken))
        {
            yield return CacheWarmupEntry.Create(
                $"shop:{shopId}:sales:{month:yyyy-MM}",
                c => queries.SalesAsync(shopId, month, c),
                Sales,
                scope: $"shop:{shopId}");
        }
    }
}
