using System.Globalization;

namespace Commerce.FlashSale.Internal;

/// <summary>Compares a sale in Redis with PostgreSQL: item counters, every reservation, and the parked journal entries.</summary>
internal sealed class Reconciler(FlashSaleConnections connections, FlashSaleKeys keys, PostgresSaleStore sales)
{
    public async Task<ReconciliationReport> ReconcileAsync(Guid saleId, CancellationToken cancellationToken)
    {
        var db = await connections.RedisAsync().ConfigureAwait(false);
        var saleKeys = keys.For(saleId);
        var stored = await sales.LoadAsync(saleId, cancellationToken).ConfigureAwait(false);
        var (items, reservations, journal) = await RedisErrors.RunAsync(async () =>
        {
            var i = db.HashGetAllAsync(saleKeys[1]);
            var r = db.HashGetAllAsync(saleKeys[3]);
            var j = db.StreamRangeAsync(saleKeys[5], "-", "+");
            return (await i.ConfigureAwait(false), await r.ConfigureAwait(false), await j.ConfigureAwait(false));
        }).ConfigureAwait(false);
        var pending = journal.LongCount(e => e["k"].HasValue);
        var parked = stored?.Parked.Select(p => new ParkedJournalEntry(p.EntryId, p.Seq, p.Error)).ToArray() ?? [];
        var differences = new List<ReconciliationDifference>();
        if (stored is null || items.Length == 0)
        {
            differences.Add(new ReconciliationDifference("sale", "missing", items.Length == 0 ? "absent" : "present", stored is null ? "absent" : "present"));
            return new ReconciliationReport(saleId, pending, differences) { DeadLetters = parked };
        }

        var redisItems = items.ToDictionary(e => (string)e.Name!, e => (string)e.Value!, StringComparer.Ordinal);
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

            Compare("stock", item.Stock);
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
