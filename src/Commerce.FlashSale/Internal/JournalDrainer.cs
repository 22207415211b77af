using Microsoft.Extensions.Logging;
using Npgsql;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// Drains a sale's journal into PostgreSQL and delivers its events, under the sale's <see cref="DrainLease"/>, in journal
/// order, and only then deletes the entries (a crash replays them harmlessly: writes are idempotent by version). Every
/// write names the epoch the entries come from, so a drainer of a Redis state being rebuilt is refused. An entry
/// PostgreSQL can't take (unreadable, or refused by a constraint) is parked in the dead letters instead of blocking the
/// journal.
/// </summary>
internal sealed class JournalDrainer(
    FlashSaleConnections connections,
    SaleBuckets buckets,
    DrainLease lease,
    PostgresReservationStore reservations,
    EventDelivery delivery,
    FlashSaleOptions options,
    FlashSaleMetrics metrics,
    ILogger logger)
{
    /// <summary>Drains if no other instance is: 0 when one is.</summary>
    public async Task<int> DrainAsync(Guid saleId, CancellationToken cancellationToken)
    {
        if (await lease.TryAcquireAsync(saleId).ConfigureAwait(false) is not { } token)
        {
            return 0; // another instance is draining this sale; one drainer keeps PostgreSQL in journal order
        }

        try
        {
            return await DrainUnderLeaseAsync(saleId, token, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await lease.ReleaseAsync(saleId, token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Brings PostgreSQL up to what the journal holds now: drains it, or, while another instance holds the lease, waits
    /// (at most <paramref name="patience"/>) for that instance's drain to end and drains what is left. False when the
    /// lease stayed taken.
    /// </summary>
    public async Task<bool> CatchUpAsync(Guid saleId, TimeSpan patience, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();   // the lease lives in Redis, on real time
        while (true)
        {
            if (await lease.TryAcquireAsync(saleId).ConfigureAwait(false) is { } token)
            {
                try
                {
                    await DrainUnderLeaseAsync(saleId, token, cancellationToken).ConfigureAwait(false);
                    return true;
                }
                finally
                {
                    await lease.ReleaseAsync(saleId, token).ConfigureAwait(false);
                }
            }

            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > patience)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System, cancellationToken).ConfigureAwait(false);   // real time, as the lease's
        }
    }

    /// <summary>
    /// Drains every bucket's journal as the holder of the lease <paramref name="token"/>, stopping at a subscriber that
    /// fails (its entries are drained again next time); the buckets of a split sale have a journal each, drained in its
    /// own order. A recovery drains with <see cref="DrainForRebuildAsync"/> instead.
    /// </summary>
    public Task<int> DrainUnderLeaseAsync(Guid saleId, string token, CancellationToken cancellationToken) =>
        DrainUnderLeaseAsync(saleId, token, undelivered: null, cancellationToken);

    /// <summary>
    /// Drains every bucket's journal before a rebuild replaces it: every entry goes to PostgreSQL even when a subscriber
    /// fails, and the entries whose events were not delivered are returned per bucket, for the rebuilt journal to hold
    /// (drained again from there, harmlessly: writes are idempotent by version, so only their events go out).
    /// </summary>
    public async Task<Dictionary<int, List<Dictionary<string, string>>>> DrainForRebuildAsync(Guid saleId, string token, CancellationToken cancellationToken)
    {
        var undelivered = new Dictionary<int, List<Dictionary<string, string>>>();
        await DrainUnderLeaseAsync(saleId, token, undelivered, cancellationToken).ConfigureAwait(false);
        return undelivered;
    }

    private async Task<int> DrainUnderLeaseAsync(Guid saleId, string token, Dictionary<int, List<Dictionary<string, string>>>? undelivered, CancellationToken cancellationToken)
    {
        using var activity = DefaultFlashSaleService.Activities.StartActivity("commerce.flash_sale.drain_journal");
        activity?.SetTag("commerce.flash_sale.id", saleId);
        var db = await connections.RedisAsync().ConfigureAwait(false);
        var count = await buckets.CountAsync(saleId).ConfigureAwait(false);
        var total = 0;
        foreach (var (bucket, keys) in buckets.All(saleId, count))
        {
            List<Dictionary<string, string>>? carry = null;
            if (undelivered is not null)
            {
                undelivered[bucket] = carry = [];
            }

            total += await DrainBucketAsync(db, saleId, bucket, keys, token, carry, cancellationToken).ConfigureAwait(false);
        }

        if (total > 0)
        {
            Log.JournalPersisted(logger, total, saleId);
        }

        return total;
    }

    private async Task<int> DrainBucketAsync(
        StackExchange.Redis.IDatabase db, Guid saleId, int bucket, StackExchange.Redis.RedisKey[] keys, string token, List<Dictionary<string, string>>? carry, CancellationToken cancellationToken)
    {
        var total = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var batch = DrainBatch.Decode(await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.DrainRead, keys, [options.JournalBatchSize])).ConfigureAwait(false));
            if (batch.Epoch is not { } epoch)
            {
                break; // Redis has no state of this sale: recovery rebuilds it
            }

            var decoded = new List<JournalEntry>(batch.Entries.Count);
            var decodedFields = new List<Dictionary<string, string>>(batch.Entries.Count);
            var done = new List<StackExchange.Redis.RedisValue>(batch.Entries.Count);
            foreach (var (id, fields) in batch.Entries)
            {
                try
                {
                    if (JournalEntry.Decode(id, fields) is { } entry)
                    {
                        decoded.Add(entry);
                        decodedFields.Add(fields);
                        done.Add(id);
                    }
                }
                catch (FormatException e)
                {
                    await ParkAsync(saleId, EntryId(bucket, id.ToString()), null, fields, e, cancellationToken).ConfigureAwait(false);
                    done.Add(id);
                }
            }

            if (done.Count == 0)
            {
                break; // only the placeholder that keeps the stream alive
            }

            if (await ApplyAsync(saleId, bucket, epoch, decoded, batch, cancellationToken).ConfigureAwait(false) == FenceOutcome.Fenced)
            {
                Log.DrainFenced(logger, saleId, epoch);
                break;
            }

            if (!await delivery.DeliverAsync(saleId, decoded, cancellationToken).ConfigureAwait(false))
            {
                if (carry is null)
                {
                    break; // delivered again next time; the writes are idempotent
                }

                carry.AddRange(decodedFields);   // a rebuild follows: the rebuilt journal holds them, for their events
            }

            await RedisErrors.RunAsync(() => db.StreamDeleteAsync(keys[5], done.ToArray())).ConfigureAwait(false);
            total += decoded.Count;
            metrics.Persisted(decoded.Count);
            if (!await lease.RenewAsync(saleId, token).ConfigureAwait(false) || batch.Entries.Count < options.JournalBatchSize)
            {
                break;
            }
        }

        return total;
    }

    /// <summary>A dead letter's entry id: the stream id, prefixed by the bucket beyond bucket 0 (ids are per stream).</summary>
    private static string EntryId(int bucket, string id) => bucket == 0 ? id : $"{bucket}:{id}";

    /// <summary>Writes a batch; when PostgreSQL refuses it for its data, finds the entries it refuses and parks them.</summary>
    private async Task<FenceOutcome> ApplyAsync(Guid saleId, int bucket, long epoch, List<JournalEntry> entries, DrainBatch batch, CancellationToken cancellationToken)
    {
        var changes = entries.OfType<ReservationChange>().ToList();
        var seq = entries.Count == 0 ? 0 : entries.Max(e => e.Seq);
        try
        {
            return await reservations.ApplyAsync(saleId, bucket, epoch, changes, seq, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (PostgresErrors.IsAboutTheData(e))
        {
            foreach (var change in changes)
            {
                try
                {
                    if (await reservations.ApplyAsync(saleId, bucket, epoch, [change], change.Seq, cancellationToken).ConfigureAwait(false) == FenceOutcome.Fenced)
                    {
                        return FenceOutcome.Fenced;
                    }
                }
                catch (Exception refused) when (PostgresErrors.IsAboutTheData(refused))
                {
                    var fields = batch.Entries.First(b => b.Id == change.Id).Fields;
                    await ParkAsync(saleId, EntryId(bucket, change.Id.ToString()), change.Seq, fields, refused, cancellationToken).ConfigureAwait(false);
                    entries.Remove(change); // no event for a change PostgreSQL does not hold
                }
            }

            return await reservations.ApplyAsync(saleId, bucket, epoch, [], seq, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw new FlashSaleUnavailableException("PostgreSQL failed: " + e.Message, e);
        }
    }

    private async Task ParkAsync(Guid saleId, string entryId, long? seq, IReadOnlyDictionary<string, string> fields, Exception error, CancellationToken cancellationToken)
    {
        await reservations.ParkAsync(saleId, entryId, seq, fields, error.Message, cancellationToken).ConfigureAwait(false);
        Log.JournalEntryParked(logger, saleId, entryId, error);
    }
}
