namespace Commerce.Analytics.Internal;

/// <summary>
/// Counts the orders this instance wrote per shop, and says when a shop has doubled since the last time it said so
/// (from <see cref="FirstAnalyze"/> orders on): then the orders table's statistics are taken again. PostgreSQL's
/// statistics of a shop that turned hot since its last ANALYZE say it is tiny, and the contribution rule's generic plan
/// then reads the shop's whole history per call instead of looking its orders up by id, so each batch costs more than
/// the last until autovacuum catches up; analyzing at each doubling keeps the estimate within a factor of two, at a
/// number of ANALYZE runs that grows only with the logarithm of the shop's size.
/// </summary>
internal sealed class ShopGrowth
{
    public const long FirstAnalyze = 1_000;

    private readonly Dictionary<string, (long Written, long Next)> _shops = new(StringComparer.Ordinal);

    /// <summary>Adds <paramref name="written"/> orders to the shop's count; true when that crossed its next doubling.</summary>
    public bool Add(string shopId, long written)
    {
        lock (_shops)
        {
            var (total, next) = _shops.TryGetValue(shopId, out var state) ? state : (0, FirstAnalyze);
            total += written;
            var crossed = total >= next;
            _shops[shopId] = (total, crossed ? total * 2 : next);
            return crossed;
        }
    }

    /// <summary>The statistics could not be taken: the shop's next write crosses its doubling again.</summary>
    public void Retry(string shopId)
    {
        lock (_shops)
        {
            if (_shops.TryGetValue(shopId, out var state))
            {
                _shops[shopId] = (state.Written, state.Written);
            }
        }
    }
}
