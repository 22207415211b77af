using System.Globalization;
using Npgsql;
using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// Sale definitions. PostgreSQL is written first (it is what a rebuild restores from), Redis second; an update is
/// committed in PostgreSQL only after Redis took it, and undone in Redis if that commit fails, so the two never
/// disagree on a definition. Reservations are never deleted by an update, nor by creating a sale again (a sale
/// PostgreSQL has holds or sales of is rebuilt from them).
/// </summary>
internal sealed partial class DefaultFlashSaleService
{
    public async Task<FlashSaleSnapshot> CreateSaleAsync(FlashSaleDefinition definition, CancellationToken cancellationToken = default)
    {
        FlashSaleValidation.Validate(definition);
        var id = definition.Id ?? Guid.NewGuid();
        using var activity = Activities.StartActivity("commerce.flash_sale.create");
        activity?.SetTag("commerce.flash_sale.id", id);

        var existing = await _sales.InsertSaleAsync(id, definition, cancellationToken).ConfigureAwait(false);
        if (existing is not null && !SameDefinition(existing, definition))
        {
            throw new FlashSaleDefinitionException(new Dictionary<string, string[]>
            {
                ["id"] = [$"A different sale with id {id} already exists."],
            });
        }

        var stored = existing is null ? null : await PostgresErrors.RunAsync(() => _sales.LoadAsync(id, cancellationToken)).ConfigureAwait(false);
        var count = (existing ?? definition).Buckets;
        if (stored is { Reservations.Count: > 0 })
        {
            // The sale has holds or sales in PostgreSQL: a Redis that lost it gets them back (a rebuild, as a reserve
            // would start), never the definition's full stock and empty per-user counts. Nothing when Redis holds it.
            await _recovery.RecoverAsync(id, force: false, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var db = await _connections.RedisAsync().ConfigureAwait(false);
            // Bucket 0 last: it records the bucket count, so no shopper is sent to a bucket not yet created.
            foreach (var bucket in Enumerable.Range(0, count).Reverse())
            {
                await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.Create, _keys.For(id, bucket, count), DefinitionArgs(_clock.Now(), create: true, definition, stored?.Epoch ?? 1, bucket, count))).ConfigureAwait(false);
            }
        }

        _buckets.Remember(id, count);
        if ((existing ?? definition).WaitingRoom is null)
        {
            _rooms.RememberNone(id);
        }

        _registry.Invalidate();
        if (existing is null)
        {
            Log.SaleCreated(_logger, id, definition.ShopId);
        }

        return await GetSaleAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new FlashSaleUnavailableException($"Sale {id} was created but Redis does not show it.");
    }

    public async Task<SaleChangeOutcome> UpdateSaleAsync(Guid saleId, FlashSaleDefinition definition, CancellationToken cancellationToken = default)
    {
        FlashSaleValidation.Validate(definition);
        _soldOut.Forget(saleId);   // the stock may grow: ask Redis again
        var stored = await PostgresErrors.RunAsync(() => _sales.LoadAsync(saleId, cancellationToken)).ConfigureAwait(false);
        if (stored is null)
        {
            return SaleChangeOutcome.NotFound;
        }

        var count = stored.Definition.Buckets;
        if (definition.Buckets != count)
        {
            throw new FlashSaleDefinitionException(new Dictionary<string, string[]>
            {
                ["buckets"] = [$"A sale's bucket count is fixed at creation (this sale has {count})."],
            });
        }

        if (definition.WaitingRoom != stored.Definition.WaitingRoom)
        {
            throw new FlashSaleDefinitionException(new Dictionary<string, string[]>
            {
                ["waitingRoom"] = ["A sale's waiting room is fixed at creation."],
            });
        }

        NpgsqlTransaction transaction;
        try
        {
            transaction = await _sales.BeginUpdateAsync(saleId, definition, cancellationToken).ConfigureAwait(false);
        }
        catch (FlashSaleUnavailableException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation })
        {
            return SaleChangeOutcome.AlreadyStarted; // an item to remove has reservations: the sale is under way
        }

        var connection = transaction.Connection!;
        try
        {
            var db = await _connections.RedisAsync().ConfigureAwait(false);
            var result = await UpdateBucketsAsync(db, saleId, definition, stored.Definition, count).ConfigureAwait(false);
            var outcome = result switch
            {
                "updated" => SaleChangeOutcome.Done,
                "not_found" => SaleChangeOutcome.NotFound,
                "recovering" => SaleChangeOutcome.Recovering,
                "cancelled" => SaleChangeOutcome.Cancelled,
                _ => SaleChangeOutcome.AlreadyStarted,
            };
            if (outcome != SaleChangeOutcome.Done)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return outcome;
            }

            try
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException e)
            {
                // Redis has the new definition, PostgreSQL does not: put the old one back in Redis.
                await UpdateBucketsAsync(db, saleId, stored.Definition, definition, count).ConfigureAwait(false);
                throw new FlashSaleUnavailableException($"PostgreSQL could not store the update of sale {saleId}; the sale is unchanged. ({e.Message})", e);
            }

            return SaleChangeOutcome.Done;
        }
        finally
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async Task<SaleChangeOutcome> CancelSaleAsync(Guid saleId, CancellationToken cancellationToken = default)
    {
        var db = await _connections.RedisAsync().ConfigureAwait(false);
        var count = await _buckets.CountAsync(saleId).ConfigureAwait(false);
        // Bucket 0 (which records the cancellation) first: its answer is the outcome, and only a sale it cancelled (now
        // or before) is cancelled in the other buckets, so no bucket is ever cancelled alone.
        var result = await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.Cancel, _keys.For(saleId), [_clock.Now()]), "cancel", null).ConfigureAwait(false);
        for (var bucket = 1; bucket < count && (string?)result is "cancelled" or "already_cancelled"; bucket++)
        {
            var keys = _keys.For(saleId, bucket, count);
            await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.Cancel, keys, [_clock.Now()]), "cancel", null).ConfigureAwait(false);
        }

        var outcome = (string?)result switch
        {
            "cancelled" => SaleChangeOutcome.Done,
            "already_cancelled" => SaleChangeOutcome.Cancelled,
            "ended" => SaleChangeOutcome.AlreadyEnded,
            "recovering" => SaleChangeOutcome.Recovering,
            _ => await _recovery.OnMissingAsync(saleId, cancellationToken).ConfigureAwait(false) ? SaleChangeOutcome.Recovering : SaleChangeOutcome.NotFound,
        };
        if (outcome is SaleChangeOutcome.Done or SaleChangeOutcome.Cancelled)
        {
            await _sales.CancelSaleAsync(saleId, cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    public async Task<FlashSaleSnapshot?> GetSaleAsync(Guid saleId, CancellationToken cancellationToken = default)
    {
        var db = await _connections.RedisAsync().ConfigureAwait(false);
        var count = await _buckets.CountAsync(saleId).ConfigureAwait(false);
        // the other buckets' items read alongside bucket 0 (one round trip of waiting, not one per bucket)
        var others = _buckets.All(saleId, count).Skip(1).Select(b => RedisErrors.RunAsync(() => db.HashGetAllAsync(b.Keys[1]))).ToArray();
        var read = await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.Read, _keys.For(saleId), [_clock.Now()])).ConfigureAwait(false);
        var (snapshot, recovering) = SaleReadReply.Decode(read, saleId, await Task.WhenAll(others).ConfigureAwait(false));
        if (snapshot is null && (recovering || await _recovery.OnMissingAsync(saleId, cancellationToken).ConfigureAwait(false)))
        {
            throw new FlashSaleUnavailableException($"Flash sale {saleId} is being recovered from PostgreSQL; try again shortly.");
        }

        return snapshot;
    }

    public async Task<IReadOnlyList<FlashSaleSnapshot>> ListSalesAsync(string shopId, int limit = 50, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(shopId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 200);
        var db = await _connections.RedisAsync().ConfigureAwait(false);
        var now = await RedisErrors.RunAsync(() => _clock.NowAsync(db)).ConfigureAwait(false);
        var ids = await PostgresErrors.RunAsync(() => _sales.ShopSalesAsync(shopId, now, limit, cancellationToken)).ConfigureAwait(false);
        var sales = new List<FlashSaleSnapshot>(ids.Count);
        foreach (var id in ids)
        {
            if (await GetSaleAsync(id, cancellationToken).ConfigureAwait(false) is { } sale)
            {
                sales.Add(sale);
            }
        }

        return sales;
    }

    /// <summary>
    /// Updates every bucket, bucket 0 first; the first answer other than "updated" stops it, puts
    /// <paramref name="previous"/> back in the buckets already updated (so they never hold shares of different stocks),
    /// and is returned.
    /// </summary>
    private async Task<string?> UpdateBucketsAsync(IDatabase db, Guid saleId, FlashSaleDefinition definition, FlashSaleDefinition previous, int count)
    {
        // one "now" for every bucket, so they agree on whether the sale has started
        var now = (await RedisErrors.RunAsync(() => _clock.NowAsync(db)).ConfigureAwait(false)).ToUnixTimeMilliseconds();
        for (var bucket = 0; bucket < count; bucket++)
        {
            var result = await UpdateBucketAsync(db, saleId, definition, bucket, count, now).ConfigureAwait(false);
            if (result != "updated")
            {
                for (var done = 0; done < bucket; done++)
                {
                    await UpdateBucketAsync(db, saleId, previous, done, count, now).ConfigureAwait(false);
                }

                return result;
            }
        }

        return "updated";
    }

    private Task<string?> UpdateBucketAsync(IDatabase db, Guid saleId, FlashSaleDefinition definition, int bucket, int count, long now)
    {
        var keys = _keys.For(saleId, bucket, count);
        var args = DefinitionArgs(now, create: false, definition, 0, bucket, count);
        return RedisErrors.RunAsync(async () => (string?)await db.ScriptEvaluateAsync(FlashSaleScripts.Update, keys, args).ConfigureAwait(false));
    }

    /// <summary>A bucket's share of an item's stock: an even split, the remainder to the first buckets.</summary>
    internal static int Share(int stock, int bucket, int count) => (stock / count) + (bucket < stock % count ? 1 : 0);

    /// <summary>
    /// The definition as script arguments for one bucket: the sale clock's now, window, [shop,] name, expiry, [epoch,
    /// bucket, buckets, waiting room,] then each item with the bucket's share of its stock and the total. The scripts set
    /// the keys' time to live from the expiry and that now, so it is counted on the sale clock.
    /// </summary>
    private RedisValue[] DefinitionArgs(RedisValue now, bool create, FlashSaleDefinition definition, long epoch, int bucket, int count)
    {
        var args = new List<RedisValue>
        {
            now,
            definition.StartsAt.ToUnixTimeMilliseconds(),
            definition.EndsAt.ToUnixTimeMilliseconds(),
        };
        if (create)
        {
            args.Add(definition.ShopId);
        }

        args.Add(definition.Name);
        args.Add((definition.EndsAt + _options.RedisRetention).ToUnixTimeMilliseconds());
        if (create)
        {
            args.Add(epoch);
            args.Add(bucket);
            args.Add(count);
            var room = bucket == 0 ? definition.WaitingRoom : null;
            args.Add(room is null ? "" : room.AdmissionsPerSecond);
            args.Add(room is null ? "" : (long)room.AdmissionLifetime.TotalMilliseconds);
        }

        foreach (var item in definition.Items)
        {
            args.Add(item.ProductId);
            args.Add(Share(item.Stock, bucket, count));
            args.Add(item.Price.ToString(CultureInfo.InvariantCulture));
            args.Add(item.PerUserLimit);
            args.Add(item.Stock);
        }

        return args.ToArray();
    }

    private static bool SameDefinition(FlashSaleDefinition a, FlashSaleDefinition b) =>
        a.ShopId == b.ShopId && a.Name == b.Name && a.Buckets == b.Buckets && a.WaitingRoom == b.WaitingRoom
        && a.StartsAt.ToUnixTimeMilliseconds() == b.StartsAt.ToUnixTimeMilliseconds()
        && a.EndsAt.ToUnixTimeMilliseconds() == b.EndsAt.ToUnixTimeMilliseconds()
        && a.Items.OrderBy(i => i.ProductId, StringComparer.Ordinal).SequenceEqual(b.Items.OrderBy(i => i.ProductId, StringComparer.Ordinal));
}
