using System.Runtime.CompilerServices;
using Commerce.Analytics;
using Commerce.Caching;

namespace Commerce.SampleHost;

/// <summary>
/// Warms the dashboard of every shop that sold something in the last 30 days (busiest first) after the host starts:
/// its metrics for the default range and its SmartShelf summary, so the first seller to open the dashboard after a
/// deploy does not wait for the reports. Runs in the background (Commerce.Caching's warm-up): start and readiness
/// never wait for it, and an entry another instance already cached is read from Redis, not computed again.
/// </summary>
public sealed class ReportsWarmup(IAnalyticsReports analytics, CommerceCache cache) : ICommerceCacheWarmup
{
    public async IAsyncEnumerable<CacheWarmupEntry> GetEntriesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var shopId in await analytics.GetActiveShopsAsync(days: 30, limit: 200, cancellationToken))
        {
            var today = await ReportCache.TodayAsync(cache, analytics, shopId, cancellationToken);
            var range = ReportCache.DefaultRange(shopId, today);
            yield return CacheWarmupEntry.Create(ReportCache.MetricsKey(range), ct => ReportCache.LoadMetricsAsync(analytics, range, ct), ReportCache.Dashboard, ReportCache.Scope(shopId));
            yield return CacheWarmupEntry.Create(ReportCache.ShelfKey(shopId), ct => ReportCache.LoadShelfAsync(analytics, shopId, ct), ReportCache.AtRisk, ReportCache.Scope(shopId));
        }
    }
}
