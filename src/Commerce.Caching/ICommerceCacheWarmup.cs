namespace Commerce.Caching;

/// <summary>
/// Declares cache entries to load in the background after the host starts (register it with
/// <see cref="CommerceCachingBuilderExtensions.WithWarmup{TWarmup}(ICommerceCachingBuilder)"/>), so the first requests after a
/// deploy find them cached.
/// </summary>
/// <example>
/// <code>
/// public sealed class DashboardWarmup(ShopDirectory shops, Reports reports) : ICommerceCacheWarmup
/// {
///     public async IAsyncEnumerable&lt;CacheWarmupEntry&gt; GetEntriesAsync([EnumeratorCancellation] CancellationToken ct)
///     {
///         foreach (var shop in await shops.ActiveAsync(ct))
///         {
///             yield return CacheWarmupEntry.Create($"shop:{shop}:dashboard", c => reports.DashboardAsync(shop, c), Dashboard, scope: $"shop:{shop}");
///         }
///     }
/// }
/// </code>
/// </example>
public interface ICommerceCacheWarmup
{
    /// <summary>The entries to warm; enumerated once, after the host has started.</summary>
    /// <param name="cancellationToken">Cancelled when the host stops.</param>
    /// <returns>The entries, each loaded through the cache as <c>GetOrSetAsync</c> would.</returns>
    IAsyncEnumerable<CacheWarmupEntry> GetEntriesAsync(CancellationToken cancellationToken);
}
