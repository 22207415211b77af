using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// Reservations are one Redis script each (see <see cref="FlashSaleScripts"/>); sale definitions are written to
/// PostgreSQL synchronously and to Redis right after. Reservation changes reach PostgreSQL through the journal.
/// </summary>
internal sealed class DefaultFlashSaleService : IFlashSaleService
{
    internal static readonly ActivitySource Activities = new(CommerceFlashSaleDiagnostics.ActivitySourceName);

    private readonly FlashSaleConnections _connections;
    private readonly FlashSaleKeys _keys;
    private readonly PostgresFlashSaleStore _postgres;
    private readonly FlashSaleOptions _options;
    private readonly TimeProvider _time;
    private readonly FlashSaleMetrics _metrics;
    private readonly ILogger _logger;
    private readonly RedisValue _holdMs;
    private readonly RedisValue _lazySweep;
    private readonly RedisValue _ratePermits;
    private readonly RedisValue _ratePeriodMs;

    public DefaultFlashSaleService(
        FlashSaleConnections connections,
        FlashSaleKeys keys,
        PostgresFlashSaleStore postgres,
        IOptions<FlashSaleOptions> options,
        TimeProvider time,
        FlashSaleMetrics metrics,
        ILogger<DefaultFlashSaleService> logger)
    {
        _connections = connections;
        _keys = keys;
        _postgres = postgres;
        _options = options.Value;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _holdMs = (long)_options.HoldDuration.TotalMilliseconds;
        _lazySweep = _options.LazySweepBatch;
        _ratePermits = _options.RateLimitPermits;
        _ratePeriodMs = (long)_options.RateLimitPeriod.TotalMilliseconds;
    }

    /// <summary>The "now" argument of the scripts: empty for Redis' clock, else the TimeProvider's unix ms.</summary>
    internal RedisValue Now() =>
        _options.Clock == FlashSaleClock.Redis ? RedisValue.EmptyString : _time.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task<FlashSaleSnapshot> CreateSaleAsync(FlashSaleDefinition definition, CancellationToken cancellationToken = default)
    {
        FlashSaleValidation.Validate(definition);
        var id = definition.Id ?? Guid.NewGuid();
        using var activity = Activities.StartActivity("commerce.flash_sale.create");
        activity?.SetTag("commerce.flash_sale.id", id);

        var existing = await _postgres.InsertSaleAsync(id, definition, cancellationToken).ConfigureAwait(false);
        if (existing is not null && !SameDefinition(existing, definition))
        {
            throw new FlashSaleDefinitionException(new Dictionary<string, string[]>
            {
                ["id"] = [$"A different sale with id {id} already exists."],
            });
        }

        var db = await _connections.RedisAsync().ConfigureAwait(false);
        await RedisResults.Run(async () =>
        {
            await db.SetAddAsync(_keys.ActiveSales, id.ToString("N")).ConfigureAwait(false);
            return await db.ScriptEvaluateAsync(FlashSaleScripts.Create, _keys.For(id), DefinitionArgs([], definition)).ConfigureAwait(false);
        }).ConfigureAwait(false);
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
        var db = await _connections.RedisAsync().ConfigureAwait(false);
        var result = await RedisResults.Run(() => db.ScriptEvaluateAsync(FlashSaleScripts.Update, _keys.For(saleId), DefinitionArgs([Now()], definition))).ConfigureAwait(false);
        var outcome = result.Str() switch
        {
            "updated" => SaleChangeOutcome.Done,
            "not_found" => SaleChangeOutcome.NotFound,
            "cancelled" => SaleChangeOutcome.Cancelled,
            _ => SaleChangeOutcome.AlreadyStarted,
        };
        if (outcome == SaleChangeOutcome.Done)
        {
            await _postgres.UpdateSaleAsync(saleId, definition, cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    public async Task<SaleChangeOutcome> CancelSaleAsync(Guid saleId, CancellationToken cancellationToken = default)
    {
        var db = await _connections.RedisAsync().ConfigureAwait(false);
        var result = await RedisResults.Run(() => db.ScriptEvaluateAsync(FlashSaleScripts.Cancel, _keys.For(saleId), [Now()])).ConfigureAwait(false);
        var outcome = result.Str() switch
        {
            "cancelled" => SaleChangeOutcome.Done,
            "already_cancelled" => SaleChangeOutcome.Cancelled,
            "ended" => SaleChangeOutcome.AlreadyEnded,
            _ => SaleChangeOutcome.NotFound,
        };
        if (outcome is SaleChangeOutcome.Done or SaleChangeOutcome.Cancelled)
        {
            await _postgres.CancelSaleAsync(saleId, cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    public async Task<FlashSaleSnapshot?> GetSaleAsync(Guid saleId, CancellationToken cancellationToken = default)
    {
        var db = await _connections.RedisAsync().ConfigureAwait(false);
        var result = await RedisResults.Run(() => db.ScriptEvaluateAsync(FlashSaleScripts.Read, _keys.For(saleId), [Now()])).ConfigureAwait(false);
        var parts = (RedisResult[])result!;
        var sale = ToDictionary((RedisResult[])parts[1]!);
        if (sale.Count == 0)
        {
            return null;
        }

        var now = parts[0].Time();
        var items = ToDictionary((RedisResult[])parts[2]!);
        int Field(string product, string name) => int.Parse(items[$"{product}|{name}"], CultureInfo.InvariantCulture);
        var products = sale["products"].Split('|', StringSplitOptions.RemoveEmptyEntries);
        var starts = RedisResults.Time(sale["starts"]);
        var ends = RedisResults.Time(sale["ends"]);
        return new FlashSaleSnapshot
        {
            Id = saleId,
            ShopId = sale["shop"],
            Name = sale["name"],
            StartsAt = starts,
            EndsAt = ends,
            AsOf = now,
            Status = sale["cancelled"] == "1" ? FlashSaleStatus.Cancelled : now < starts ? FlashSaleStatus.Scheduled : now >= ends ? FlashSaleStatus.Ended : FlashSaleStatus.Active,
            Items = products.Select(p =>
            {
                var stock = Field(p, "stock");
                var reserved = Field(p, "reserved");
                var confirmed = Field(p, "confirmed");
                return new FlashSaleItem(p, stock, stock - reserved - confirmed, reserved, confirmed,
                    decimal.Parse(items[$"{p}|price"], CultureInfo.InvariantCulture), Field(p, "limit"));
            }).ToArray(),
        };
    }

    public async Task<ReserveResult> ReserveAsync(ReserveRequest request, CancellationToken cancellationToken = default)
    {
        FlashSaleValidation.Validate(request);
        var started = _time.GetTimestamp();
        var reservationId = request.ReservationId ?? Guid.NewGuid().ToString("N");
        using var activity = Activities.StartActivity("commerce.flash_sale.reserve");
        activity?.SetTag("commerce.flash_sale.id", request.SaleId);
        activity?.SetTag("commerce.flash_sale.reservation_id", reservationId);
        activity?.SetTag("commerce.flash_sale.product_id", request.ProductId);
        activity?.SetTag("enduser.id", request.UserId);

        var db = await _connections.RedisAsync().ConfigureAwait(false);
        var result = await RedisResults.Run(() => db.ScriptEvaluateAsync(
            FlashSaleScripts.Reserve,
            _keys.For(request.SaleId),
            [Now(), reservationId, request.UserId, request.ProductId, request.Quantity, _holdMs, _lazySweep, _ratePermits, _ratePeriodMs])).ConfigureAwait(false);
        var parts = (RedisResult[])result!;
        var reserve = parts[0].Str() switch
        {
            "reserved" => new ReserveResult
            {
                Outcome = ReserveOutcome.Reserved,
                Reservation = new Reservation(request.SaleId, reservationId, request.UserId, request.ProductId, request.Quantity,
                    ReservationState.Reserved, 1, parts[5].Time(), parts[1].Time()),
                Available = parts[2].Int(),
                RemainingAllowance = parts[3].Int(),
            },
            "replay" => new ReserveResult
            {
                Outcome = ReserveOutcome.Reserved,
                IsReplay = true,
                Reservation = new Reservation(request.SaleId, reservationId, request.UserId, request.ProductId, request.Quantity,
                    PostgresFlashSaleStore.ParseState(parts[1].Str()), parts[2].Int(), parts[3].Time(), parts[4].Time()),
            },
            "conflict" => new ReserveResult { Outcome = ReserveOutcome.IdempotencyConflict },
            "not_active" => new ReserveResult { Outcome = ReserveOutcome.SaleNotActive, SaleStatus = ParseStatus(parts[1].Str()) },
            "rate_limited" => new ReserveResult { Outcome = ReserveOutcome.RateLimited, RetryAfter = TimeSpan.FromMilliseconds(parts[1].Long()) },
            "limit_exceeded" => new ReserveResult { Outcome = ReserveOutcome.LimitExceeded, RemainingAllowance = Math.Max(0, parts[1].Int()) },
            "sold_out" => new ReserveResult { Outcome = ReserveOutcome.SoldOut, Available = Math.Max(0, parts[1].Int()) },
            _ => new ReserveResult { Outcome = ReserveOutcome.NotFound },
        };
        activity?.SetTag("commerce.flash_sale.outcome", reserve.Outcome.ToString());
        _metrics.Reserve(reserve.Outcome, _time.GetElapsedTime(started));
        return reserve;
    }

    public Task<ReservationResult> ConfirmAsync(Guid saleId, string reservationId, string userId, CancellationToken cancellationToken = default) =>
        ChangeAsync(saleId, reservationId, userId, "confirmed", cancellationToken);

    public Task<ReservationResult> ReleaseAsync(Guid saleId, string reservationId, string userId, CancellationToken cancellationToken = default) =>
        ChangeAsync(saleId, reservationId, userId, "released", cancellationToken);

    public async Task<Reservation?> GetReservationAsync(Guid saleId, string reservationId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reservationId);
        var db = await _connections.RedisAsync().ConfigureAwait(false);
        var result = await RedisResults.Run(() => db.ScriptEvaluateAsync(FlashSaleScripts.ReadReservation, _keys.For(saleId), [Now(), reservationId])).ConfigureAwait(false);
        var parts = (RedisResult[])result!;
        return parts[1].IsNull || reservationId == "_" ? null : RedisResults.ParseReservation(saleId, reservationId, parts[1].Str());
    }

    private async Task<ReservationResult> ChangeAsync(Guid saleId, string reservationId, string userId, string target, CancellationToken cancellationToken)
    {
        FlashSaleValidation.ValidateIds(reservationId, userId);
        var operation = target == "confirmed" ? "confirm" : "release";
        var started = _time.GetTimestamp();
        using var activity = Activities.StartActivity("commerce.flash_sale." + operation);
        activity?.SetTag("commerce.flash_sale.id", saleId);
        activity?.SetTag("commerce.flash_sale.reservation_id", reservationId);

        var db = await _connections.RedisAsync().ConfigureAwait(false);
        var result = await RedisResults.Run(() => db.ScriptEvaluateAsync(FlashSaleScripts.Change, _keys.For(saleId), [Now(), reservationId, userId, target])).ConfigureAwait(false);
        var parts = (RedisResult[])result!;
        var outcome = parts[0].Str() switch
        {
            "confirmed" => ReservationOutcome.Confirmed,
            "released" => ReservationOutcome.Released,
            "already_confirmed" => ReservationOutcome.AlreadyConfirmed,
            "already_released" => ReservationOutcome.AlreadyReleased,
            "expired" => ReservationOutcome.Expired,
            "not_active" => ReservationOutcome.SaleNotActive,
            _ => ReservationOutcome.NotFound,
        };
        var reservation = outcome == ReservationOutcome.NotFound
            ? null
            : new Reservation(saleId, reservationId, userId, parts[5].Str(), parts[6].Int(),
                PostgresFlashSaleStore.ParseState(parts[1].Str()), parts[2].Int(), parts[3].Time(), parts[4].Time());
        activity?.SetTag("commerce.flash_sale.outcome", outcome.ToString());
        _metrics.Change(operation, outcome, _time.GetElapsedTime(started));
        return new ReservationResult(outcome, reservation);
    }

    private RedisValue[] DefinitionArgs(RedisValue[] head, FlashSaleDefinition definition)
    {
        var args = new List<RedisValue>(head)
        {
            definition.StartsAt.ToUnixTimeMilliseconds(),
            definition.EndsAt.ToUnixTimeMilliseconds(),
        };
        if (head.Length == 0)
        {
            args.Add(definition.ShopId);
        }

        args.Add(definition.Name);
        args.Add((definition.EndsAt + _options.RedisRetention).ToUnixTimeMilliseconds());
        foreach (var item in definition.Items)
        {
            args.Add(item.ProductId);
            args.Add(item.Stock);
            args.Add(item.Price.ToString(CultureInfo.InvariantCulture));
            args.Add(item.PerUserLimit);
        }

        return args.ToArray();
    }

    internal static Dictionary<string, string> ToDictionary(RedisResult[] pairs)
    {
        var map = new Dictionary<string, string>(pairs.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < pairs.Length; i += 2)
        {
            map[pairs[i].Str()] = pairs[i + 1].Str();
        }

        return map;
    }

    private static FlashSaleStatus ParseStatus(string status) => status switch
    {
        "scheduled" => FlashSaleStatus.Scheduled,
        "ended" => FlashSaleStatus.Ended,
        "cancelled" => FlashSaleStatus.Cancelled,
        _ => FlashSaleStatus.Active,
    };

    private static bool SameDefinition(FlashSaleDefinition a, FlashSaleDefinition b) =>
        a.ShopId == b.ShopId && a.Name == b.Name
        && a.StartsAt.ToUnixTimeMilliseconds() == b.StartsAt.ToUnixTimeMilliseconds()
        && a.EndsAt.ToUnixTimeMilliseconds() == b.EndsAt.ToUnixTimeMilliseconds()
        && a.Items.OrderBy(i => i.ProductId, StringComparer.Ordinal).SequenceEqual(b.Items.OrderBy(i => i.ProductId, StringComparer.Ordinal));
}
