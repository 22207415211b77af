using System.Diagnostics.Metrics;

namespace Commerce.FlashSale.Internal;

/// <summary>The instruments of the <c>Commerce.FlashSale</c> meter. No user or sale ids as tags (those go on traces).</summary>
internal sealed class FlashSaleMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _reservations;
    private readonly Counter<long> _changes;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _expired;
    private readonly Counter<long> _persisted;

    public FlashSaleMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(CommerceFlashSaleDiagnostics.MeterName) ?? new Meter(CommerceFlashSaleDiagnostics.MeterName);
        _reservations = _meter.CreateCounter<long>("commerce.flash_sale.reservations", "{request}", "Reserve calls by outcome.");
        _changes = _meter.CreateCounter<long>("commerce.flash_sale.reservation_changes", "{request}", "Confirm and release calls by operation and outcome.");
        _duration = _meter.CreateHistogram<double>("commerce.flash_sale.operation.duration", "s", "Duration of reserve, confirm and release calls, by operation.");
        _expired = _meter.CreateCounter<long>("commerce.flash_sale.sweep.expired", "{reservation}", "Holds expired by the background sweep.");
        _persisted = _meter.CreateCounter<long>("commerce.flash_sale.journal.persisted", "{entry}", "Journal entries written to PostgreSQL.");
    }

    public void Reserve(ReserveOutcome outcome, TimeSpan duration, bool fromMemory = false)
    {
        _reservations.Add(1, new KeyValuePair<string, object?>("outcome", OutcomeName(outcome)), new KeyValuePair<string, object?>("answered_from", fromMemory ? "memory" : "redis"));
        _duration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("operation", "reserve"));
    }

    public void Change(string operation, ReservationOutcome outcome, TimeSpan duration)
    {
        _changes.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("outcome", outcome.ToString()));
        _duration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("operation", operation));
    }

    public void Expired(int count) => _expired.Add(count);

    public void Persisted(int count) => _persisted.Add(count);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static string OutcomeName(ReserveOutcome outcome) => outcome switch
    {
        ReserveOutcome.Reserved => "reserved",
        ReserveOutcome.SoldOut => "sold_out",
        ReserveOutcome.LimitExceeded => "limit_exceeded",
        ReserveOutcome.SaleNotActive => "sale_not_active",
        ReserveOutcome.RateLimited => "rate_limited",
        ReserveOutcome.NotFound => "not_found",
        ReserveOutcome.HoldEnded => "hold_ended",
        ReserveOutcome.Recovering => "recovering",
        _ => "idempotency_conflict",
    };
}
