using System.Globalization;
using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// Compares a sale in Redis with PostgreSQL: item counters (summed over a split sale's buckets, stock as its total),
/// every reservation, and the parked journal entries.
/// </summary>
internal sealed class Reconciler(FlashSaleConnections connections, SaleBuckets buckets, PostgresSaleStore sales)
{
    public async Task<ReconciliationReport> ReconcileAsync(Guid saleId, CancellationToken cancellationToken)
    {
        var db = await connections.RedisAsync().ConfigureAwait(false);
        var stored = await sales.LoadAsync(saleId, cancellationToken).ConfigureAwait(false);
        var count = stored?.Definition.Buckets ?? 1;
        var (perBucket, reservations, journal) = await RedisErrors.RunAsync(async () =>
        {
            var i = new List<HashEntry[]>();
            var r = new List<HashEntry>();
            var j = new List<StreamEntry>();
            foreach (var (_, keys) in buckets.All(saleId, count))
            {
                i.Add(await db.HashGetAllAsync(keys[1]).ConfigureAwait(false));
                r.AddRange(await db.HashGetAllAsync(keys[3]).ConfigureAwait(false));
                j.AddRange(await db.StreamRangeAsync(keys[5], "-", "+").ConfigureAwait(false));
            }

            return (i, r, j);
        }).ConfigureAwait(false);
        var items = perBucket.SelectMany(b => b).ToList();
        var pending = journal.LongCount(e => e["k"].HasValue);
        var parked = stored?.Parked.Select(p => new ParkedJournalEntry(p.EntryId, p.Seq, p.Error)).ToArray() ?? [];
        var differences = new List<ReconciliationDifference>();
        if (stored is null || items.Count == 0)
        {
            differences.Add(new ReconciliationDifference("sale", "missing", items.Count == 0 ? "absent" : "present", stored is null ? "absent" : "present"));
            return new ReconciliationReport(saleId, pending, differences) { DeadLetters = parked };
        }

        var redisItems = items.Where(e => !((string)e.Name!).StartsWith('|'))
            .GroupBy(e => (string)e.Name!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Key.EndsWith("|reserved", StringComparison.Ordinal) || g.Key.EndsWith("|confirmed", StringComparison.Ordinal)
                ? g.Sum(e => (long)e.Value).ToString(CultureInfo.InvariantCulture)
                : (string)g.First().Value!, StringComparer.Ordinal);
        foreach (var item in stored.Items)
        {
            void Compare(string field, int postgres)
            {
                redisItems.TryGetValue($"{item.ProductId}|{field}", out var redis);
                if (redis != postgres.ToString(CultureInfo.InvariantCulture))
                {
                    differences.Add(new ReconciliationDifference($"item:{item.ProductId}", field, redis, postgres.ToString(CultureInfo.InvariantCulture)));
                }
            }

            Compare(count == 1 ? "stock" : "total", item.Stock);
            if (count > 1 && SplitStock.UnitsAcrossBuckets(perBucket, item.ProductId) is var split && split != item.Stock)
            {
                differences.Add(new ReconciliationDifference($"item:{item.ProductId}", "stock across buckets", split.ToString(CultureInfo.InvariantCulture), item.Stock.ToString(CultureInfo.InvariantCulture)));
            }
            Compare("reserved", item.ReservedUnits);
            Compare("confirmed", item.ConfirmedUnits);
        }

        // Reservations are compared by their hash field, {user}|{id}: ids are scoped to their user.
        var inRedis = reservations.Where(e => e.Name != "_")
            .ToDictionary(e => (string)e.Name!, e => ReservationRecord.ParseField(saleId, e.Name!, e.Value!), StringComparer.Ordinal);
        var inPostgres = stored.Reservations.ToDictionary(r => ReservationRecord.Field(r.UserId, r.Id), StringComparer.Ordinal);
        foreach (var (field, redis) in inRedis)
        {
            if (!inPostgres.TryGetValue(field, out var postgres))
            {
                differences.Add(new ReconciliationDifference($"reservation:{field}", "missing", redis.State.ToString(), null));
            }
            else if (redis.State != postgres.State || redis.Version != postgres.Version)
            {
                differences.Add(new ReconciliationDifference($"reservation:{field}", "state", $"{redis.State} v{redis.Version}", $"{postgres.State} v{postgres.Version}"));
            }
        }

        foreach (var field in inPostgres.Keys.Where(f => !inRedis.ContainsKey(f)))
        {
            differences.Add(new ReconciliationDifference($"reservation:{field}", "missing", null, inPostgres[field].State.ToString()));
        }

        return new ReconciliationReport(saleId, pending, differences) { DeadLetters = parked };
    }
}
