using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// Notices that Redis lost a sale's state and rebuilds it from PostgreSQL, without an operator. Lost means: the sale is
/// missing from Redis while PostgreSQL still looks after it, or Redis holds an older epoch than PostgreSQL, or a lower
/// sequence number than PostgreSQL has applied (Redis went back: a failover to a replica that missed writes). A stale
/// state is first marked so nothing sells from it; then, under the sale's drain lease, what its journal still holds is
/// drained (fenced) and the state rebuilt: PostgreSQL starts a new epoch (so older drains and confirmations are refused
/// from then on) and Redis gets the sale, every hold and confirmation PostgreSQL has, atomically. Reserve answers
/// <see cref="ReserveOutcome.Recovering"/> meanwhile. A sale split over buckets is also rebuilt when a consistent read
/// shows its buckets hold more or fewer units of an item than its stock (a failover lost half of a move).
/// </summary>
internal sealed class SaleRecovery(
    FlashSaleConnections connections,
    FlashSaleKeys keys,
    SaleBuckets buckets,
    SplitStock split,
    PostgresSaleStore sales,
    DrainLease lease,
    JournalDrainer drainer,
    SaleClock clock,
    FlashSaleOptions options,
    TimeProvider time,
    ILogger logger)
{
    private static readonly TimeSpan KnownFor = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<Guid, (bool Known, long CheckedAt)> _known = new();
    private readonly ConcurrentDictionary<Guid, Task> _running = new();

    /// <summary>
    /// Redis answered that it has no such sale: true (and a recovery started) when PostgreSQL still looks after it, so the
    /// caller answers "recovering" rather than "not found".
    /// </summary>
    public async Task<bool> OnMissingAsync(Guid saleId, CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        if (!_known.TryGetValue(saleId, out var known) || time.GetElapsedTime(known.CheckedAt) > KnownFor)
        {
            var health = await PostgresErrors.RunAsync(() => sales.HealthAsync(saleId, cancellationToken)).ConfigureAwait(false);
            known = (health is { NeedsCare: true }, now);
            _known[saleId] = known;
        }

        if (known.Known)
        {
            Start(saleId);
        }

        return known.Known;
    }

    /// <summary>Compares Redis with PostgreSQL and starts a recovery when Redis lost or went back (the background check).</summary>
    public async Task CheckAsync(Guid saleId, CancellationToken cancellationToken)
    {
        var db = await connections.RedisAsync().ConfigureAwait(false);
        var postgres = await sales.HealthAsync(saleId, cancellationToken).ConfigureAwait(false);
        if (postgres is not { NeedsCare: true } stored)
        {
            return;
        }

        // Every bucket of the sale: one bucket's primary losing its data is the sale's state going back.
        for (var bucket = 0; bucket < stored.Seqs.Length; bucket++)
        {
            var bucketKeys = keys.For(saleId, bucket, stored.Seqs.Length);
            var redis = HealthReply.Decode(await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.Health, bucketKeys)).ConfigureAwait(false));
            if (!redis.Exists || redis.Recovering || redis.Epoch < stored.Epoch || redis.Seq < stored.Seqs[bucket])
            {
                if (redis.Exists && !redis.Recovering)
                {
                    Log.SaleStateWentBack(logger, saleId, redis.Epoch, redis.Seq, stored.Epoch, stored.Seqs[bucket]);
                }

                Start(saleId);
                return;
            }
        }

        // A split sale whose buckets hold more or fewer units than its stock (a failover lost half of a move).
        if (stored.Seqs.Length > 1 && await split.FindLostMoveAsync(saleId, stored.Seqs.Length).ConfigureAwait(false) is { } lost)
        {
            Log.SplitStockDiffers(logger, saleId, lost.ProductId, lost.Units, lost.Stock);
            Start(saleId);
        }
    }

    /// <summary>Starts a recovery in the background unless one runs in this process.</summary>
    public void Start(Guid saleId)
    {
        if (_running.ContainsKey(saleId))
        {
            return;
        }

        var task = new Task<Task>(() => RecoverAsync(saleId, force: true, CancellationToken.None));
        if (_running.TryAdd(saleId, task.Unwrap()))
        {
            var unwrapped = _running[saleId];
            _ = unwrapped.ContinueWith(
                t =>
                {
                    _running.TryRemove(new KeyValuePair<Guid, Task>(saleId, unwrapped));
                    if (t.Exception is { } e)
                    {
                        Log.RecoveryFailed(logger, saleId, e.GetBaseException());
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            task.Start(TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Rebuilds the sale's Redis state from PostgreSQL under its drain lease. Without <paramref name="force"/> it leaves a
    /// sale Redis still holds alone (false). A sale Redis still holds has its journal drained first, so nothing Redis
    /// has is dropped. False when another instance holds the lease (it is draining or rebuilding).
    /// </summary>
    /// <exception cref="InvalidOperationException">PostgreSQL has no such sale.</exception>
    public async Task<bool> RecoverAsync(Guid saleId, bool force, CancellationToken cancellationToken)
    {
        var db = await connections.RedisAsync().ConfigureAwait(false);
        if (!force && await RedisErrors.RunAsync(() => db.KeyExistsAsync(keys.For(saleId)[0])).ConfigureAwait(false))
        {
            return false;
        }

        // PostgreSQL knows how many buckets the sale has, whatever Redis lost.
        var count = (await PostgresErrors.RunAsync(() => sales.HealthAsync(saleId, cancellationToken)).ConfigureAwait(false))?.Seqs.Length
            ?? throw new InvalidOperationException($"PostgreSQL has no flash sale {saleId} to rebuild from.");
        buckets.Remember(saleId, count);

        // Nothing sells from a stale state from here on, even while another holder still has the lease.
        foreach (var (_, bucketKeys) in buckets.All(saleId, count))
        {
            await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.MarkRecovering, bucketKeys)).ConfigureAwait(false);
        }

        if (await lease.TryAcquireAsync(saleId).ConfigureAwait(false) is not { } token)
        {
            return false;
        }

        try
        {
            // What the stale state's journal holds goes to PostgreSQL first (entries of an epoch PostgreSQL already moved
            // past are refused by the fence, as they should be).
            var undelivered = await drainer.DrainForRebuildAsync(saleId, token, cancellationToken).ConfigureAwait(false);

            var begun = await PostgresErrors.RunAsync(() => sales.BeginEpochAsync(saleId, cancellationToken)).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"PostgreSQL has no flash sale {saleId} to rebuild from.");
            // Bucket 0 last: a shopper of a rebuilt bucket may then move units only from buckets rebuilt too.
            foreach (var bucket in Enumerable.Range(0, count).Reverse())
            {
                await WriteAsync(db, saleId, begun.Sale, begun.Epoch, begun.Seqs[bucket], bucket, count, undelivered.GetValueOrDefault(bucket) ?? []).ConfigureAwait(false);
            }

            _known[saleId] = (true, time.GetTimestamp());
            Log.SaleRebuilt(logger, saleId, begun.Sale.Reservations.Count, begun.Epoch);
            return true;
        }
        finally
        {
            await lease.ReleaseAsync(saleId, token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A waiting room's fields on bucket 0 after a rebuild: its settings, and admissions as if they had run at the rate
    /// since the start (the count is not in PostgreSQL: admitting more than before is safe, stock is what limits sales).
    /// A new secret is made by the next join, so tokens of the old state are no longer accepted.
    /// </summary>
    private static HashEntry[] Room(FlashSaleWaitingRoom? room, int bucket, DateTimeOffset now, DateTimeOffset starts) =>
        room is null || bucket != 0 ? [] :
        [
            new("room_rate", room.AdmissionsPerSecond),
            new("room_ttl", (long)room.AdmissionLifetime.TotalMilliseconds),
            new("room_admitted", Math.Max(0, (now - starts).TotalSeconds * room.AdmissionsPerSecond).ToString("F3", CultureInfo.InvariantCulture)),
            new("room_at", now.ToUnixTimeMilliseconds()),
        ];

    /// <summary>
    /// Replaces one bucket's Redis keys with PostgreSQL's state, in one MULTI/EXEC: the holds of the shoppers it serves,
    /// and as stock those holds plus its share of the units nobody holds (moves in flight are not in PostgreSQL: the split
    /// starts afresh).
    /// </summary>
    private async Task WriteAsync(IDatabase db, Guid saleId, StoredSale stored, long epoch, long seq, int bucket, int count, List<Dictionary<string, string>> undelivered)
    {
        var saleKeys = keys.For(saleId, bucket, count);
        var definition = stored.Definition;
        var expire = definition.EndsAt + options.RedisRetention;
        var all = stored.Reservations.Where(r => r.State is ReservationState.Reserved or ReservationState.Confirmed).ToArray();
        var holding = all.Where(r => SaleBuckets.Of(r.UserId, count) == bucket).ToArray();
        var mine = stored.Reservations.Where(r => SaleBuckets.Of(r.UserId, count) == bucket);
        // The phase the sale is in now, so a rebuild does not announce a start (or an end) a second time.
        var now = await RedisErrors.RunAsync(() => clock.NowAsync(db)).ConfigureAwait(false);
        var phase = stored.Cancelled ? "cancelled" : now < definition.StartsAt ? "scheduled" : now < definition.EndsAt ? "active" : "ended";
        int Units(string product, ReservationState state) => holding.Where(r => r.ProductId == product && r.State == state).Sum(r => r.Quantity);
        int Free(StoredItem item) => item.Stock - all.Where(r => r.ProductId == item.ProductId).Sum(r => r.Quantity);
        var transaction = db.CreateTransaction();
        var writes = new List<Task>
        {
            transaction.KeyDeleteAsync(saleKeys),
            transaction.HashSetAsync(saleKeys[0],
            [
                new("starts", definition.StartsAt.ToUnixTimeMilliseconds()),
                new("ends", definition.EndsAt.ToUnixTimeMilliseconds()),
                new("cancelled", stored.Cancelled ? "1" : "0"),
                new("recovering", "0"),
                new("phase", phase),
                new("epoch", epoch),
                new("seq", seq),
                new("shop", definition.ShopId),
                new("name", definition.Name),
                new("products", string.Join('|', stored.Items.Select(i => i.ProductId))),
                new("expire", expire.ToUnixTimeMilliseconds()),
                new("bucket", bucket),
                new("buckets", count),
                .. Room(definition.WaitingRoom, bucket, now, definition.StartsAt),
            ]),
            transaction.HashSetAsync(saleKeys[1], stored.Items.SelectMany(i =>
            {
                var reserved = Units(i.ProductId, ReservationState.Reserved);
                var confirmed = Units(i.ProductId, ReservationState.Confirmed);
                var free = Math.Max(0, Free(i));
                var stock = reserved + confirmed + DefaultFlashSaleService.Share(free, bucket, count);
                return new HashEntry[]
                {
                    new($"{i.ProductId}|stock", stock),
                    new($"{i.ProductId}|reserved", reserved),
                    new($"{i.ProductId}|confirmed", confirmed),
                    new($"{i.ProductId}|price", i.Price.ToString(CultureInfo.InvariantCulture)),
                    new($"{i.ProductId}|limit", i.PerUserLimit),
                    new($"{i.ProductId}|out", reserved + confirmed >= stock ? "1" : "0"),
                    new($"{i.ProductId}|total", i.Stock),
                    new($"{i.ProductId}|gout", count > 1 && bucket == 0 && free == 0 ? "1" : "0"),
                };
            }).ToArray()),
            transaction.HashSetAsync(saleKeys[2], holding.GroupBy(r => $"{r.UserId}|{r.ProductId}").Select(g => new HashEntry(g.Key, g.Sum(r => r.Quantity))).Append(new HashEntry("_", 0)).ToArray()),
            transaction.SortedSetAddAsync(saleKeys[4], holding.Where(r => r.State == ReservationState.Reserved)
                .Select(r => new SortedSetEntry(ReservationRecord.Field(r.UserId, r.Id), r.ExpiresAt.ToUnixTimeMilliseconds())).Append(new SortedSetEntry("_", double.PositiveInfinity)).ToArray()),
            transaction.StreamAddAsync(saleKeys[5], "r", "_"),
            transaction.HashSetAsync(saleKeys[6], "_", 0),
        };
        // Entries the drain before the rebuild wrote to PostgreSQL but could not deliver the events of (a subscriber failed).
        writes.AddRange(undelivered.Select(fields => transaction.StreamAddAsync(saleKeys[5], fields.Select(f => new NameValueEntry(f.Key, f.Value)).ToArray())));
        foreach (var chunk in mine.Select(r => new HashEntry(ReservationRecord.Field(r.UserId, r.Id), ReservationRecord.Pack(r))).Append(new HashEntry("_", "")).Chunk(1_000))
        {
            writes.Add(transaction.HashSetAsync(saleKeys[3], chunk));
        }

        // The time left on the sale clock, not its instant on Redis' clock (as expire_at in prelude.lua does).
        var left = TimeSpan.FromMilliseconds(Math.Max(1, (expire - now).TotalMilliseconds));
        writes.AddRange(saleKeys.Select(k => transaction.KeyExpireAsync(k, left)));
        if (!await RedisErrors.RunAsync(() => transaction.ExecuteAsync()).ConfigureAwait(false))
        {
            throw new FlashSaleUnavailableException($"Redis did not apply the rebuild of sale {saleId}.");
        }

        await Task.WhenAll(writes).ConfigureAwait(false);
    }
}
