using System.Diagnostics.Metrics;

namespace Commerce.Analytics.Internal;

/// <summary>The instruments of the <c>Commerce.Analytics</c> meter.</summary>
internal sealed class AnalyticsMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _ingested;
    private readonly Histogram<double> _reportDuration;
    private readonly Counter<long> _bulkRows;

    public AnalyticsMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(CommerceAnalyticsDiagnostics.MeterName) ?? new Meter(CommerceAnalyticsDiagnostics.MeterName);
        _ingested = _meter.CreateCounter<long>("commerce.analytics.ingested", "{event}", "Ingested events, by kind (product, product_deleted, order, order_status, inventory) and outcome (applied, ignored, deferred).");
        _reportDuration = _meter.CreateHistogram<double>("commerce.analytics.report.duration", "s", "Duration of report queries, by report.");
        _bulkRows = _meter.CreateCounter<long>("commerce.analytics.bulk_sync.rows", "{row}", "Rows loaded by bulk sync, by table (products, orders, lines).");
    }

    public void Ingested(string kind, IngestOutcome outcome) =>
        _ingested.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", outcome.ToString().ToLowerInvariant()));

    public void Report(string report, TimeSpan duration) =>
        _reportDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("report", report));

    public void BulkRows(string table, long rows) => _bulkRows.Add(rows, new KeyValuePair<string, object?>("table", table));

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
