using System.Globalization;
using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// The stock of a sale split over buckets (<see cref="FlashSaleDefinition.Buckets"/>): a reservation runs in the
/// shopper's bucket; when that bucket lacks the units, units are moved to it from the others (take, give, settle: moving
/// never creates stock, and a move its mover did not finish is undone by <see cref="ReclaimAsync"/>), and "sold out" is
/// answered only when a consistent read of every bucket (each read twice, unchanged) shows the item as a whole has
/// fewer units than asked for, counting units in transit. Units coming back and the item selling out are recorded on
/// bucket 0, exactly once each (<c>sold_out.lua</c>, <c>units_back.lua</c>).
/// </summary>
internal sealed class SplitStock(FlashSaleConnections connections, SaleBuckets buckets, FlashSaleKeys keys, SaleClock clock)
{
    private const int MaxAttempts = 16;

    /// <summary>Moves older than this whose mover never settled them are undone (the mover died between the halves).</summary>
    internal static readonly TimeSpan StaleTransfer = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Reserves in the shopper's bucket, moving units to it as needed. A reply of kind <c>sold_out</c> here means the
    /// item as a whole is (its Available counts units in transit, so "none left" is remembered only when none are); <c>unsettled</c> that buckets kept changing (or units stayed in transit) for every attempt.
    /// </summary>
    public async Task<ReserveReply> ReserveAsync(Func<RedisKey[], bool, Task<ReserveReply>> reserveIn, Guid saleId, string userId, string productId, int quantity, int count)
    {
        var db = await connections.RedisAsync().ConfigureAwait(false);
        var home = SaleBuckets.Of(userId, count);
        var homeKeys = keys.For(saleId, home, count);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            // the first attempt counts against the shopper's rate limit; asking again after a move does not
            var reply = await reserveIn(homeKeys, attempt == 0).ConfigureAwait(false);
            if (reply.Kind != "sold_out")
            {
                return reply;
            }

            var need = quantity - Math.Max(0, reply.Available ?? 0);
            if (await GatherAsync(db, saleId, count, productId, home, need).ConfigureAwait(false) >= need)
            {
                continue;
            }

            if (await SnapshotAsync(db, saleId, count, productId).ConfigureAwait(false) is not { } item)
            {
                continue; // the buckets kept changing while read: units may be moving; ask again
            }

            if (item.Recovering)
            {
                return new ReserveReply("recovering");
            }

            if (item.Available + item.InTransit < quantity)
            {
                if (item.Available + item.InTransit == 0)
                {
                    await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.SoldOut, keys.For(saleId), [clock.Now(), productId, item.Backs])).ConfigureAwait(false);
                }

                return new ReserveReply("sold_out", Available: item.Available + item.InTransit);
            }

            if (item.InTransit > 0)
            {
                // a move is under way: its units land shortly (a real pause for Redis, whatever clock the sale runs on)
                await Task.Delay(TimeSpan.FromMilliseconds(attempt + 1), TimeProvider.System).ConfigureAwait(false);
            }
        }

        return new ReserveReply("unsettled");
    }

    /// <summary>Records on bucket 0 that units of the items in <paramref name="back"/> came back (a release, expired holds).</summary>
    public async Task UnitsBackAsync(Guid saleId, IEnumerable<(string ProductId, int Units)> back)
    {
        var args = new List<RedisValue> { clock.Now() };
        foreach (var (product, units) in back)
        {
            args.Add(product);
            args.Add(units);
        }

        if (args.Count > 1)
        {
            var db = await connections.RedisAsync().ConfigureAwait(false);
            await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.UnitsBack, keys.For(saleId), args.ToArray())).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Records units back for items marked sold out on bucket 0 that a consistent read shows have units again: the
    /// process that released them died before recording it. Returns the items it recorded.
    /// </summary>
    public async Task<int> HealSoldOutAsync(Guid saleId, int count)
    {
        var db = await connections.RedisAsync().ConfigureAwait(false);
        var home = keys.For(saleId);
        var products = ((string?)await RedisErrors.RunAsync(() => db.HashGetAsync(home[0], "products")).ConfigureAwait(false) ?? "")
            .Split('|', StringSplitOptions.RemoveEmptyEntries);
        if (products.Length == 0)
        {
            return 0;
        }

        var marks = await RedisErrors.RunAsync(() => db.HashGetAsync(home[1], products.Select(p => (RedisValue)$"{p}|gout").ToArray())).ConfigureAwait(false);
        var healed = 0;
        for (var i = 0; i < products.Length; i++)
        {
            if (marks[i] == "1"
                && await SnapshotAsync(db, saleId, count, products[i]).ConfigureAwait(false) is { Recovering: false, Available: > 0 } item)
            {
                await UnitsBackAsync(saleId, [(products[i], item.Available)]).ConfigureAwait(false);
                healed++;
            }
        }

        return healed;
    }

    /// <summary>
    /// Undoes the moves of a sale whose mover never finished them: the receiving bucket either took the units (the move
    /// is settled) or is made to refuse them for good (they go back to the sender). Returns the moves undone or settled.
    /// </summary>
    public async Task<int> ReclaimAsync(Guid saleId, int count)
    {
        var db = await connections.RedisAsync().ConfigureAwait(false);
        var settled = 0;
        foreach (var (bucket, bucketKeys) in buckets.All(saleId, count))
        {
            var stale = (RedisResult[])(await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.StaleTransfers, bucketKeys, [clock.Now(), (long)StaleTransfer.TotalMilliseconds])).ConfigureAwait(false))!;
            for (var i = 0; i + 1 < stale.Length; i += 2)
            {
                var id = (string)stale[i]!;
                var target = keys.For(saleId, (int)stale[i + 1], count);
                var outcome = (string)(await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.Refuse, target, [id])).ConfigureAwait(false))!;
                settled += (int)await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.Settle, bucketKeys, [id, outcome])).ConfigureAwait(false);
            }
        }

        return settled;
    }

    /// <summary>
    /// The units of an item a split sale's buckets hold between them: every bucket's stock, plus units in transit that
    /// their receiver has not taken yet. Equal to the item's stock at every moment (take, give and settle keep it so)
    /// unless a failover lost half of a move; read while moves run, a move between two reads can show as a difference.
    /// </summary>
    internal static long UnitsAcrossBuckets(IReadOnlyList<HashEntry[]> perBucket, string productId)
    {
        var fields = perBucket.Select(b => b.ToDictionary(e => (string)e.Name!, e => (string)e.Value!, StringComparer.Ordinal)).ToArray();
        long units = 0;
        foreach (var bucket in fields)
        {
            units += long.Parse(bucket.GetValueOrDefault($"{productId}|stock", "0"), CultureInfo.InvariantCulture);
            foreach (var (name, value) in bucket.Where(f => f.Key.StartsWith("|t|", StringComparison.Ordinal)))
            {
                var parts = value.Split('|'); // product|units|target|at
                if (parts[0] == productId && int.Parse(parts[2], CultureInfo.InvariantCulture) is var target && target < fields.Length
                    && fields[target].GetValueOrDefault("|g|" + name[3..]) != "1")
                {
                    units += long.Parse(parts[1], CultureInfo.InvariantCulture);
                }
            }
        }

        return units;
    }

    /// <summary>
    /// Reads every bucket's items twice and, if no item's version changed in between (the reads held together), returns
    /// an item whose units across buckets differ from its total stock (a failover lost half of a move), else null.
    /// </summary>
    public async Task<(string ProductId, long Units, long Stock)?> FindLostMoveAsync(Guid saleId, int count)
    {
        var db = await connections.RedisAsync().ConfigureAwait(false);
        async Task<HashEntry[][]> CollectAsync() =>
            await Task.WhenAll(buckets.All(saleId, count).Select(b => RedisErrors.RunAsync(() => db.HashGetAllAsync(b.Keys[1])))).ConfigureAwait(false);
        static string Versions(HashEntry[][] all) =>
            string.Join(',', all.Select(b => string.Join(';', b.Where(e => ((string)e.Name!).EndsWith("|ver", StringComparison.Ordinal)).OrderBy(e => (string)e.Name!, StringComparer.Ordinal).Select(e => $"{e.Name}={e.Value}"))));
        var first = await CollectAsync().ConfigureAwait(false);
        var second = await CollectAsync().ConfigureAwait(false);
        if (Versions(first) != Versions(second) || second.Any(b => b.Length == 0))
        {
            return null; // busy (or a bucket missing, which the seq check handles)
        }

        foreach (var total in second[0].Where(e => ((string)e.Name!).EndsWith("|total", StringComparison.Ordinal)))
        {
            var product = ((string)total.Name!)[..^"|total".Length];
            var units = UnitsAcrossBuckets(second, product);
            if (units != (long)total.Value)
            {
                return (product, units, (long)total.Value);
            }
        }

        return null;
    }

    /// <summary>Moves up to <paramref name="need"/> units (more if the others have plenty) into bucket <paramref name="to"/>.</summary>
    private async Task<int> GatherAsync(IDatabase db, Guid saleId, int count, string productId, int to, int need)
    {
        var moved = 0;
        var start = Random.Shared.Next(count);
        for (var i = 0; i < count && moved < need; i++)
        {
            var from = (start + i) % count;
            if (from == to)
            {
                continue;
            }

            var transfer = Guid.NewGuid().ToString("N");
            var source = keys.For(saleId, from, count);
            var take = (RedisResult[])(await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.Take, source, [clock.Now(), productId, need - moved, transfer, to])).ConfigureAwait(false))!;
            var taken = (int)take[0];
            if (taken == 0)
            {
                continue;
            }

            // the give names the sender's epoch: a receiver rebuilt since (or being rebuilt) refuses it for good
            var given = (string)(await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.Give, keys.For(saleId, to, count), [productId, taken, transfer, (string?)take[1]])).ConfigureAwait(false))!;
            await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.Settle, source, [transfer, given])).ConfigureAwait(false);
            if (given == "given")
            {
                moved += taken;
            }
        }

        return moved;
    }

    /// <summary>
    /// The item across buckets at one moment: every bucket read twice, and only if no bucket's version changed between
    /// its two reads (a double collect: the values then held together). Null when they kept changing.
    /// </summary>
    private async Task<ItemAcrossBuckets?> SnapshotAsync(IDatabase db, Guid saleId, int count, string productId)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var first = await CollectAsync(db, saleId, count, productId).ConfigureAwait(false);
            var second = await CollectAsync(db, saleId, count, productId).ConfigureAwait(false);
            if (first.Any(b => b.Recovering) || second.Any(b => b.Recovering))
            {
                return new ItemAcrossBuckets(0, 0, 0, Recovering: true);
            }

            if (first.Select(b => b.Version).SequenceEqual(second.Select(b => b.Version)))
            {
                // bucket 0's units-back count as first read: a unit back after it keeps sold_out.lua from recording
                return new ItemAcrossBuckets(second.Sum(b => b.Available), second.Sum(b => b.InTransit), first[0].Backs, Recovering: false);
            }
        }

        return null;
    }

    private async Task<BucketItem[]> CollectAsync(IDatabase db, Guid saleId, int count, string productId)
    {
        var reads = buckets.All(saleId, count)
            .Select(b => RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.ItemState, b.Keys, [productId])))
            .ToArray();
        var replies = await Task.WhenAll(reads).ConfigureAwait(false);
        return replies.Select(r =>
        {
            var p = r.Parts();
            return new BucketItem(p[0].Int(), p[1].Int(), p[2].Long(), p[3].Long(), p[4].Str() != "0");
        }).ToArray();
    }

    private readonly record struct BucketItem(int Available, int InTransit, long Version, long Backs, bool Recovering);

    private readonly record struct ItemAcrossBuckets(int Available, int InTransit, long Backs, bool Recovering);
}
