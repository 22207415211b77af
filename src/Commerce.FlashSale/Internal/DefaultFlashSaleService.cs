using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// Reservations: each change is one Redis script (see <c>Internal/Scripts</c>), journaled to PostgreSQL by the drainer;
/// a confirmation is also written to PostgreSQL before it is acknowledged. A sale Redis lost is recovered
/// (<see cref="SaleRecovery"/>) and answered as <see cref="ReserveOutcome.Recovering"/> meanwhile. Sale definitions are
/// in <c>.Sales.cs</c>.
/// </summary>
internal sealed partial class DefaultFlashSaleService : IFlashSaleService
{
    internal static readonly ActivitySource Activities = new(CommerceFlashSaleDiagnostics.ActivitySourceName);
    private static readonly TimeSpan RecoveringRetryAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CatchUpPatience = TimeSpan.FromSeconds(2);   // a drain under way elsewhere ends well within it

    private readonly FlashSaleConnections _connections;
    private readonly FlashSaleKeys _keys;
    private readonly PostgresSaleStore _sales;
    private readonly ConfirmationWriter _confirmations;
    private readonly JournalDrainer _drainer;
    private readonly SaleRecovery _recovery;
    private readonly ActiveSaleRegistry _registry;
    private readonly SaleClock _clock;
    private readonly SoldOutMemory _soldOut;
    private readonly SaleBuckets _buckets;
    private readonly SplitStock _split;
    private readonly WaitingRooms _rooms;
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
        PostgresSaleStore sales,
        ConfirmationWriter confirmations,
        JournalDrainer drainer,
        SaleRecovery recovery,
        ActiveSaleRegistry registry,
        SaleClock clock,
        SoldOutMemory soldOut,
        SaleBuckets buckets,
        SplitStock split,
        WaitingRooms rooms,
        IOptions<FlashSaleOptions> options,
        TimeProvider time,
        FlashSaleMetrics metrics,
        ILogger<DefaultFlashSaleService> logger)
    {
        _connections = connections;
        _keys = keys;
        _sales = sales;
        _confirmations = confirmations;
        _drainer = drainer;
        _recovery = recovery;
        _registry = registry;
        _clock = clock;
        _soldOut = soldOut;
        _buckets = buckets;
        _split = split;
        _rooms = rooms;
        _options = options.Value;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _holdMs = (long)_options.HoldDuration.TotalMilliseconds;
        _lazySweep = _options.LazySweepBatch;
        _ratePermits = _options.RateLimitPermits;
        _ratePeriodMs = (long)_options.RateLimitPeriod.TotalMilliseconds;
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

        if (!await _rooms.AdmitsAsync(request.SaleId, request.UserId, request.AdmissionToken).ConfigureAwait(false))
        {
            activity?.SetTag("commerce.flash_sale.outcome", nameof(ReserveOutcome.NotAdmitted));
            _metrics.Reserve(ReserveOutcome.NotAdmitted, _time.GetElapsedTime(started));
            return new ReserveResult { Outcome = ReserveOutcome.NotAdmitted };
        }

        if (request.ReservationId is null && _soldOut.IsSoldOut(request.SaleId, request.ProductId))
        {
            activity?.SetTag("commerce.flash_sale.outcome", nameof(ReserveOutcome.SoldOut));
            activity?.SetTag("commerce.flash_sale.answered_from", "memory");
            _metrics.Reserve(ReserveOutcome.SoldOut, _time.GetElapsedTime(started), fromMemory: true);
            return new ReserveResult { Outcome = ReserveOutcome.SoldOut, Available = 0 };
        }

        var generation = _soldOut.Generation(request.SaleId);
        var db = await _connections.RedisAsync().ConfigureAwait(false);
        var count = await _buckets.CountAsync(request.SaleId).ConfigureAwait(false);
        async Task<ReserveReply> ReserveIn(RedisKey[] keys, RedisValue lazySweep, bool rateLimited) => ReserveReply.Decode(await RedisErrors.RunAsync(
            () => db.ScriptEvaluateAsync(
                FlashSaleScripts.Reserve,
                keys,
                [_clock.Now(), reservationId, request.UserId, request.ProductId, request.Quantity, _holdMs, lazySweep, rateLimited ? _ratePermits : 0, _ratePeriodMs]),
            "reservation",
            reservationId).ConfigureAwait(false), request.SaleId, reservationId);

        // A split sale expires holds in the background sweep only, which records the units coming back across buckets.
        var reply = count == 1
            ? await ReserveIn(_keys.For(request.SaleId), _lazySweep, rateLimited: true).ConfigureAwait(false)
            : await _split.ReserveAsync((k, first) => ReserveIn(k, 0, first), request.SaleId, request.UserId, request.ProductId, request.Quantity, count).ConfigureAwait(false);
        var reserve = reply.Kind switch
        {
            "reserved" => new ReserveResult
            {
                Outcome = ReserveOutcome.Reserved,
                Reservation = new Reservation(request.SaleId, reservationId, request.UserId, request.ProductId, request.Quantity,
                    ReservationState.Reserved, 1, reply.Now!.Value, reply.ExpiresAt!.Value),
                Available = reply.Available,
                RemainingAllowance = reply.Allowance,
            },
            "replay" => new ReserveResult
            {
                Outcome = reply.Replayed!.State is ReservationState.Reserved or ReservationState.Confirmed ? ReserveOutcome.Reserved : ReserveOutcome.HoldEnded,
                IsReplay = true,
                Reservation = reply.Replayed,
            },
            "conflict" => new ReserveResult { Outcome = ReserveOutcome.IdempotencyConflict },
            "not_active" => new ReserveResult { Outcome = ReserveOutcome.SaleNotActive, SaleStatus = ParseStatus(reply.Status!) },
            "rate_limited" => new ReserveResult { Outcome = ReserveOutcome.RateLimited, RetryAfter = TimeSpan.FromMilliseconds(reply.RetryAfterMs!.Value) },
            "limit_exceeded" => new ReserveResult { Outcome = ReserveOutcome.LimitExceeded, RemainingAllowance = Math.Max(0, reply.Allowance!.Value) },
            "sold_out" => new ReserveResult { Outcome = ReserveOutcome.SoldOut, Available = Math.Max(0, reply.Available!.Value) },
            "recovering" or "unsettled" => Recovering(),
            "no_sale" when await _recovery.OnMissingAsync(request.SaleId, cancellationToken).ConfigureAwait(false) => Recovering(),
            _ => new ReserveResult { Outcome = ReserveOutcome.NotFound },
        };
        if (reserve.Outcome == ReserveOutcome.SoldOut && reserve.Available == 0)
        {
            _soldOut.Remember(request.SaleId, request.ProductId, generation);
        }

        activity?.SetTag("commerce.flash_sale.outcome", reserve.Outcome.ToString());
        _metrics.Reserve(reserve.Outcome, _time.GetElapsedTime(started));
        return reserve;

        static ReserveResult Recovering() => new() { Outcome = ReserveOutcome.Recovering, RetryAfter = RecoveringRetryAfter };
    }

    public async Task<QueueTicket> JoinQueueAsync(Guid saleId, string userId, CancellationToken cancellationToken = default)
    {
        FlashSaleValidation.ValidateUserId(userId);
        using var activity = Activities.StartActivity("commerce.flash_sale.queue");
        activity?.SetTag("commerce.flash_sale.id", saleId);
        activity?.SetTag("enduser.id", userId);
        var ticket = await _rooms.JoinAsync(saleId, userId).ConfigureAwait(false);
        if (ticket.Outcome == QueueOutcome.NotFound && await _recovery.OnMissingAsync(saleId, cancellationToken).ConfigureAwait(false))
        {
            ticket = new QueueTicket { Outcome = QueueOutcome.Recovering };
        }

        activity?.SetTag("commerce.flash_sale.outcome", ticket.Outcome.ToString());
        return ticket;
    }

    public Task<ReservationResult> ConfirmAsync(Guid saleId, string reservationId, string userId, CancellationToken cancellationToken = default) =>
        ChangeAsync(saleId, reservationId, userId, "confirmed", cancellationToken);

    public Task<ReservationResult> ReleaseAsync(Guid saleId, string reservationId, string userId, CancellationToken cancellationToken = default) =>
        ChangeAsync(saleId, reservationId, userId, "released", cancellationToken);

    public async Task<Reservation?> GetReservationAsync(Guid saleId, string reservationId, string userId, CancellationToken cancellationToken = default)
    {
        FlashSaleValidation.ValidateIds(reservationId, userId);
        var db = await _connections.RedisAsync().ConfigureAwait(false);
        var keys = _buckets.For(saleId, userId, await _buckets.CountAsync(saleId).ConfigureAwait(false));
        var parts = (RedisResult[])(await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(FlashSaleScripts.ReadReservation, keys, [_clock.Now(), userId, reservationId])).ConfigureAwait(false))!;
        if (parts[2].IsNull || (string?)parts[2] == "1")
        {
            if ((string?)parts[2] == "1" || await _recovery.OnMissingAsync(saleId, cancellationToken).ConfigureAwait(false))
            {
                throw new FlashSaleUnavailableException($"Flash sale {saleId} is being recovered from PostgreSQL; try again shortly.");
            }

            return null;
        }

        return parts[1].IsNull ? null : ReservationRecord.Parse(saleId, reservationId, (string)parts[1]!);
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
        var count = await _buckets.CountAsync(saleId).ConfigureAwait(false);
        var bucket = SaleBuckets.Of(userId, count);
        var reply = ChangeReply.Decode(await RedisErrors.RunAsync(
            () => db.ScriptEvaluateAsync(FlashSaleScripts.Change, _keys.For(saleId, bucket, count), [_clock.Now(), reservationId, userId, target]),
            operation,
            reservationId).ConfigureAwait(false), saleId, reservationId);
        var outcome = reply.Kind switch
        {
            "confirmed" => ReservationOutcome.Confirmed,
            "released" => ReservationOutcome.Released,
            "already_confirmed" => ReservationOutcome.AlreadyConfirmed,
            "already_released" => ReservationOutcome.AlreadyReleased,
            "expired" or "expired_now" => ReservationOutcome.Expired,
            "not_active" => ReservationOutcome.SaleNotActive,
            "recovering" => ReservationOutcome.Recovering,
            "no_sale" when await _recovery.OnMissingAsync(saleId, cancellationToken).ConfigureAwait(false) => ReservationOutcome.Recovering,
            _ => ReservationOutcome.NotFound,
        };

        // A confirmation is acknowledged only once PostgreSQL holds it, so Redis losing its data can't lose it.
        if (target == "confirmed" && outcome is ReservationOutcome.Confirmed or ReservationOutcome.AlreadyConfirmed)
        {
            var written = await MakeDurableAsync(saleId, bucket, reply, cancellationToken).ConfigureAwait(false);
            if (written == FenceOutcome.Fenced)
            {
                Log.ConfirmationFenced(_logger, saleId, reservationId);
                _recovery.Start(saleId);
                outcome = ReservationOutcome.Recovering;
            }
        }

        if (outcome is ReservationOutcome.Released or ReservationOutcome.Expired)
        {
            _soldOut.Forget(saleId);   // its units are back: sell them from here at once
            if (count > 1 && reply.Kind is "released" or "expired_now" && reply.Reservation is { } back)
            {
                await _split.UnitsBackAsync(saleId, [(back.ProductId, back.Quantity)]).ConfigureAwait(false);
            }
        }

        var reservation = outcome is ReservationOutcome.NotFound or ReservationOutcome.Recovering ? null : reply.Reservation;
        activity?.SetTag("commerce.flash_sale.outcome", outcome.ToString());
        _metrics.Change(operation, outcome, _time.GetElapsedTime(started));
        return new ReservationResult(outcome, reservation);
    }

    private async Task<FenceOutcome> MakeDurableAsync(Guid saleId, int bucket, ChangeReply reply, CancellationToken cancellationToken)
    {
        var r = reply.Reservation!;
        var confirmation = new ReservationChange(default, reply.Seq, r.Id, r.State, r.Version, r.UserId, r.ProductId, r.Quantity, r.CreatedAt, r.ExpiresAt, _time.GetUtcNow());
        try
        {
            try
            {
                return await _confirmations.WriteAsync(saleId, bucket, reply.Epoch, confirmation, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (PostgresErrors.IsAboutTheData(e))
            {
                // PostgreSQL may still count a hold Redis has released since (a unit given back and sold again before
                // the journal reached PostgreSQL): the journal first, then the confirmation once more. A lease that
                // stayed taken leaves the refusal as it is.
                if (!await _drainer.CatchUpAsync(saleId, CatchUpPatience, cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }

                return await _confirmations.WriteAsync(saleId, bucket, reply.Epoch, confirmation, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (PostgresErrors.IsAboutTheData(e))
        {
            // PostgreSQL refuses it (it would confirm more than the stock it knows): Redis' state is not to be trusted.
            Log.ConfirmationRefused(_logger, saleId, reply.Reservation!.Id, e);
            return FenceOutcome.Fenced;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException || e is FlashSaleUnavailableException { MayHaveApplied: false })
        {
            throw new FlashSaleUnavailableException(
                $"The confirmation of {reply.Reservation!.Id} is recorded in Redis but could not be stored in PostgreSQL, so it is not acknowledged: call confirm again with the same reservation id. ({e.Message})",
                e)
            {
                MayHaveApplied = true,
                ReservationId = reply.Reservation.Id,
            };
        }
    }

    private static FlashSaleStatus ParseStatus(string status) => status switch
    {
        "scheduled" => FlashSaleStatus.Scheduled,
        "ended" => FlashSaleStatus.Ended,
        "cancelled" => FlashSaleStatus.Cancelled,
        _ => FlashSaleStatus.Active,
    };
}
