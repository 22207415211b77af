using System.Diagnostics.Metrics;

namespace Commerce.Webhooks.Internal;

/// <summary>The instruments of the <c>Commerce.Webhooks</c> meter.</summary>
internal sealed class WebhooksMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _received;
    private readonly Histogram<double> _receiveDuration;
    private readonly Counter<long> _processed;
    private readonly Histogram<double> _processingDuration;
    private readonly Counter<long> _deliveries;
    private readonly Histogram<double> _deliveryDuration;
    private readonly Histogram<int> _inboxCommitSize;

    public WebhooksMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(CommerceWebhooksDiagnostics.MeterName) ?? new Meter(CommerceWebhooksDiagnostics.MeterName);
        _received = _meter.CreateCounter<long>("commerce.webhooks.received", "{webhook}", "Webhooks received, by source and outcome (accepted, processed, duplicate, rejected, invalid, too_large).");
        _receiveDuration = _meter.CreateHistogram<double>("commerce.webhooks.receive.duration", "s", "From reading the body to the committed inbox row.");
        _processed = _meter.CreateCounter<long>("commerce.webhooks.processed", "{webhook}", "Processing attempts, by outcome (processed, retried, dead).");
        _processingDuration = _meter.CreateHistogram<double>("commerce.webhooks.processing.duration", "s", "Duration of handling one message.");
        _deliveries = _meter.CreateCounter<long>("commerce.webhooks.deliveries", "{attempt}", "Delivery attempts of sent webhooks, by outcome (delivered, retried, failed, gone).");
        _deliveryDuration = _meter.CreateHistogram<double>("commerce.webhooks.delivery.duration", "s", "Duration of one delivery attempt.");
        _inboxCommitSize = _meter.CreateHistogram<int>("commerce.webhooks.inbox.commit.size", "{webhook}", "Webhooks committed to the inbox together in one group commit.");
    }

    public void Received(string source, string outcome, TimeSpan? duration = null)
    {
        _received.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("outcome", outcome));
        if (duration is { } d)
        {
            _receiveDuration.Record(d.TotalSeconds, new KeyValuePair<string, object?>("source", source));
        }
    }

    public void Processed(string outcome, TimeSpan duration)
    {
        _processed.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        _processingDuration.Record(duration.TotalSeconds);
    }

    public void Delivery(string outcome, TimeSpan duration)
    {
        _deliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        _deliveryDuration.Record(duration.TotalSeconds);
    }

    public void InboxCommitted(int messages) => _inboxCommitSize.Record(messages);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
