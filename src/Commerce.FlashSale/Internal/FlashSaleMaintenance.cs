using System.Collections.Concurrent;
using System.Globalization;
using Commerce.Shared;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

internal sealed class FlashSaleMaintenance : IFlashSaleMaintenance
{
    private const string ReleaseLeaseScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    private readonly FlashSaleConnections _connections;
    private readonly FlashSaleKeys _keys;
    private readonly PostgresFlashSaleStore _postgres;
    private readonly DefaultFlashSaleService _service;
    private readonly FlashSaleOptions _options;
    private readonly FlashSaleMetrics _metrics;
    private readonly ILogger _logger;
    private readonly IFlashSaleEventSubscriber[] _subscribers;
    private readonly ConcurrentDictionary<Guid, string> _shops = new();
    private readonly string _instance = $"{Environment.MachineName}:{Guid.NewGuid():N}";
    private long _leases;

    public FlashSaleMaintenance(
        FlashSaleConnections connections,
        FlashSaleKeys keys,
        PostgresFlashSaleStore postgres,
        IFlashSaleService service,
        IOptions<FlashSaleOptions> options,
        FlashSaleMetrics metrics,
        ILogger<FlashSaleMaintenance> logger,
        IEnumerable<IFlashSaleEventSubscriber> subscribers)
    {
        _connections = connections;
        _keys = keys;
        _postgres = postgres;
        _service = (DefaultFlashSaleService)service;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _subscribers = subscribers.ToArray();
    }

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        var applied = await PostgresMigrator.ApplyAsync(_connections.Postgres, _options.Schema, typeof(FlashSaleMaintenance).Assembly, cancellationToken).ConfigureAwait(false);
        if (applied.Count > 0)
        {
            Log.MigrationsApplied(_logger, string.Join(",", applied), _options.Schema);
        }
    }

    public async Task<int> SweepExpiredAsync(Guid saleId, CancellationToken cancellationToken = default)
    {
        using var activity = DefaultFlashSaleService.Activities.StartActivity("commerce.flash_sale.sweep");
        activity?.SetTag("commerce.flash_sale.id", saleId);
        var db = await _connections.RedisAsync().ConfigureAwait(false);
        var total = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var expired = (int)await RedisResults.Run(() => db.ScriptEvaluateAsync(FlashSaleScripts.Sweep, _keys.For(saleId), [_service.Now(), _options.SweepBatch])).ConfigureAwait(false);
            total += expired;
            if (expired < _options.SweepBatch)
            {
                break;
            }
        }

        if (total > 0)
        {
            _metrics.Expired(total);
            Log.HoldsExpired(_logger, total, saleId);
        }

        return total;
    }

    public async Task<int> DrainJournalAsync(Guid saleId, CancellationToken cancellationToken = default)
    {
        var db = await _connections.RedisAsync().ConfigureAwait(false);
        var lease = _keys.DrainLease(saleId);
        var token = $"{_instance}:{Interlocked.Increment(ref _leases)}";
        if (!await RedisResults.Run(() => db.StringSetAsync(lease, token, _options.JournalLeaseDuration, When.NotExists)).ConfigureAwait(false))
        {
            return 0; // another instance is draining this sale; one drainer keeps PostgreSQL in journal order
        }

        using var activity = DefaultFlashSaleService.Activities.StartActivity("commerce.flash_sale.drain_journal");
        activity?.SetTag("commerce.flash_sale.id", saleId);
        var journal = _keys.Journal(saleId);
        var total = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var entries = await RedisResults.Run(() => db.StreamRangeAsync(journal, "-", "+", _options.JournalBatchSize)).ConfigureAwait(false);
                if (entries.Length == 0)
                {
                    break;
                }

                var parsed = entries.Where(e => e["r"] != "_").Select(Parse).ToList();
                if (parsed.Count > 0)
                {
                    await _postgres.UpsertReservationsAsync(saleId, parsed, cancellationToken).ConfigureAwait(false);
                    if (!await DeliverAsync(saleId, parsed, cancellationToken).ConfigureAwait(false))
                    {
                        break; // delivered again next time; the upsert is idempotent
                    }
                }

                await RedisResults.Run(() => db.StreamDeleteAsync(journal, entries.Select(e => e.Id).ToArray())).ConfigureAwait(false);
                total += parsed.Count;
                _metrics.Persisted(parsed.Count);
                await db.KeyExpireAsync(lease, _options.JournalLeaseDuration).ConfigureAwait(false);
                if (entries.Length < _options.JournalBatchSize)
                {
                    break;
                }
            }
        }
        finally
        {
            await db.ScriptEvaluateAsync(ReleaseLeaseScript, [lease], [token]).ConfigureAwait(false);
        }

        if (total > 0)
        {
            Log.JournalPersisted(_logger, total, saleId);
        }

        return total;
    }

    public async Task<ReconciliationReport> ReconcileAsync(Guid saleId, CancellationToken cancellationToken = default)
    {
        var db = await _connections.RedisAsync().ConfigureAwait(false);
        var keys = _keys.For(saleId);
        var stored = await _postgres.LoadAsync(saleId, cancellationToken).ConfigureAwait(false);
        var (items, reservations, journal) = await RedisResults.Run(async () =>
        {
            var i = db.HashGetAllAsync(keys[1]);
            var r = db.HashGetAllAsync(keys[3]);
            var j = db.StreamRangeAsync(keys[5], "-", "+");
            return (await i.ConfigureAwait(false), await r.ConfigureAwait(false), await j.ConfigureAwait(false));
        }).ConfigureAwait(false);
        var pending = journal.LongCount(e => e["r"] != "_");
        var differences = new List<ReconciliationDifference>();
        if (stored is null || items.Length == 0)
        {
            differences.Add(new ReconciliationDifference("sale", "missing", items.Length == 0 ? "absent" : "present", stored is null ? "absent" : "present"));
            return new ReconciliationReport(saleId, pending, differences);
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

        var inRedis = reservations.Where(e => e.Name != "_")
            .ToDictionary(e => (string)e.Name!, e => RedisResults.ParseReservation(saleId, e.Name!, e.Value!), StringComparer.Ordinal);
        var inPostgres = stored.Reservations.ToDictionary(r => r.Id, StringComparer.Ordinal);
        foreach (var (id, redis) in inRedis)
        {
            if (!inPostgres.TryGetValue(id, out var postgres))
            {
                differences.Add(new ReconciliationDifference($"reservation:{id}", "missing", redis.State.ToString(), null));
            }
            else if (redis.State != postgres.State || redis.Version != postgres.Version)
            {
                differences.Add(new ReconciliationDifference($"reservation:{id}", "state", $"{redis.State} v{redis.Version}", $"{postgres.State} v{postgres.Version}"));
            }
        }

        foreach (var id in inPostgres.Keys.Where(id => !inRedis.ContainsKey(id)))
        {
            differences.Add(new ReconciliationDifference($"reservation:{id}", "missing", null, inPostgres[id].State.ToString()));
        }

        return new ReconciliationReport(saleId, pending, differences);
    }

    public async Task<bool> RebuildAsync(Guid saleId, bool force = false, CancellationToken cancellationToken = default)
    {
        var stored = await _postgres.LoadAsync(saleId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"PostgreSQL has no flash sale {saleId} to rebuild from.");
        var db = await _connections.RedisAsync().ConfigureAwait(false);
        var keys = _keys.For(saleId);
        if (!force && await RedisResults.Run(() => db.KeyExistsAsync(keys[0])).ConfigureAwait(false))
        {
            return false;
        }

        var definition = stored.Definition;
        var expire = (definition.EndsAt + _options.RedisRetention).UtcDateTime;
        var holding = stored.Reservations.Where(r => r.State is ReservationState.Reserved or ReservationState.Confirmed).ToArray();
        var transaction = db.CreateTransaction();
        var writes = new List<Task>
        {
            transaction.KeyDeleteAsync(keys),
            transaction.HashSetAsync(keys[0],
            [
                new("starts", definition.StartsAt.ToUnixTimeMilliseconds()),
                new("ends", definition.EndsAt.ToUnixTimeMilliseconds()),
                new("cancelled", stored.Cancelled ? "1" : "0"),
                new("shop", definition.ShopId),
                new("name", definition.Name),
                new("products", string.Join('|', stored.Items.Select(i => i.ProductId))),
                new("expire", new DateTimeOffset(expire).ToUnixTimeMilliseconds()),
            ]),
            transaction.HashSetAsync(keys[1], stored.Items.SelectMany(i =>
            {
                var reserved = holding.Where(r => r.ProductId == i.ProductId && r.State == ReservationState.Reserved).Sum(r => r.Quantity);
                var confirmed = holding.Where(r => r.ProductId == i.ProductId && r.State == ReservationState.Confirmed).Sum(r => r.Quantity);
                return new HashEntry[]
                {
                    new($"{i.ProductId}|stock", i.Stock),
                    new($"{i.ProductId}|reserved", reserved),
                    new($"{i.ProductId}|confirmed", confirmed),
                    new($"{i.ProductId}|price", i.Price.ToString(CultureInfo.InvariantCulture)),
                    new($"{i.ProductId}|limit", i.PerUserLimit),
                };
            }).ToArray()),
            transaction.HashSetAsync(keys[2], holding.GroupBy(r => $"{r.UserId}|{r.ProductId}").Select(g => new HashEntry(g.Key, g.Sum(r => r.Quantity))).Append(new HashEntry("_", 0)).ToArray()),
            transaction.SortedSetAddAsync(keys[4], holding.Where(r => r.State == ReservationState.Reserved)
                .Select(r => new SortedSetEntry(r.Id, r.ExpiresAt.ToUnixTimeMilliseconds())).Append(new SortedSetEntry("_", double.PositiveInfinity)).ToArray()),
            transaction.StreamAddAsync(keys[5], "r", "_"),
            transaction.HashSetAsync(keys[6], "_", 0),
        };
        foreach (var chunk in stored.Reservations.Append(null).Chunk(1_000))
        {
            writes.Add(transaction.HashSetAsync(keys[3], chunk.Select(r => r is null
                ? new HashEntry("_", "")
                : new HashEntry(r.Id, $"{PostgresFlashSaleStore.StateName(r.State)}|{r.Version}|{r.UserId}|{r.ProductId}|{r.Quantity}|{r.CreatedAt.ToUnixTimeMilliseconds()}|{r.ExpiresAt.ToUnixTimeMilliseconds()}")).ToArray()));
        }

        writes.AddRange(keys.Select(k => transaction.KeyExpireAsync(k, expire)));
        if (!await RedisResults.Run(() => transaction.ExecuteAsync()).ConfigureAwait(false))
        {
            throw new FlashSaleUnavailableException($"Redis did not apply the rebuild of sale {saleId}.");
        }

        await Task.WhenAll(writes).ConfigureAwait(false);
        await RedisResults.Run(() => db.SetAddAsync(_keys.ActiveSales, saleId.ToString("N"))).ConfigureAwait(false);
        Log.SaleRebuilt(_logger, saleId, stored.Reservations.Count);
        return true;
    }

    /// <summary>The sales the background workers look after.</summary>
    internal async Task<IReadOnlyList<Guid>> ActiveSalesAsync()
    {
        var db = await _connections.RedisAsync().ConfigureAwait(false);
        var members = await RedisResults.Run(() => db.SetMembersAsync(_keys.ActiveSales)).ConfigureAwait(false);
        return members.Select(m => Guid.ParseExact((string)m!, "N")).ToArray();
    }

    /// <summary>Stops looking after a sale that is over: ended or cancelled, no hold left, journal drained.</summary>
    internal async Task RetireIfDoneAsync(Guid saleId, CancellationToken cancellationToken)
    {
        var sale = await _service.GetSaleAsync(saleId, cancellationToken).ConfigureAwait(false);
        var db = await _connections.RedisAsync().ConfigureAwait(false);
        if (sale is not null)
        {
            if (sale.Status is FlashSaleStatus.Scheduled or FlashSaleStatus.Active || sale.Items.Any(i => i.Reserved > 0))
            {
                return;
            }

            var journal = await db.StreamLengthAsync(_keys.Journal(saleId)).ConfigureAwait(false);
            if (journal > 0)
            {
                return;
            }
        }

        await db.SetRemoveAsync(_keys.ActiveSales, saleId.ToString("N")).ConfigureAwait(false);
    }

    private async Task<bool> DeliverAsync(Guid saleId, List<JournalEntry> entries, CancellationToken cancellationToken)
    {
        if (_subscribers.Length == 0)
        {
            return true;
        }

        if (!_shops.TryGetValue(saleId, out var shop))
        {
            shop = await _postgres.GetShopIdAsync(saleId, cancellationToken).ConfigureAwait(false) ?? "";
            _shops[saleId] = shop;
        }

        try
        {
            foreach (var entry in entries)
            {
                var saleEvent = new FlashSaleEvent
                {
                    State = entry.State,
                    SaleId = saleId,
                    ShopId = shop,
                    ReservationId = entry.ReservationId,
                    Version = entry.Version,
                    UserId = entry.UserId,
                    ProductId = entry.ProductId,
                    Quantity = entry.Quantity,
                    ExpiresAt = entry.ExpiresAt,
                    OccurredAt = entry.OccurredAt,
                };
                foreach (var subscriber in _subscribers)
                {
                    await subscriber.HandleAsync(saleEvent, cancellationToken).ConfigureAwait(false);
                }
            }

            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.EventSubscriberFailed(_logger, saleId, e);
            return false;
        }
    }

    private static JournalEntry Parse(StreamEntry entry)
    {
        string Field(string name) => (string?)entry[name] ?? "";
        int Int(string name) => int.Parse(Field(name), CultureInfo.InvariantCulture);
        return new JournalEntry(
            Field("r"),
            PostgresFlashSaleStore.ParseState(Field("s")),
            Int("v"),
            Field("u"),
            Field("p"),
            Int("q"),
            RedisResults.Time(Field("c")),
            RedisResults.Time(Field("x")),
            RedisResults.Time(Field("t")));
    }
}
