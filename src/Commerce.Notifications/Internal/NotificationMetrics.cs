using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Commerce.Notifications.Internal;

/// <summary>The instruments of the <c>Commerce.Notifications</c> meter, and its activity source.</summary>
internal sealed class NotificationMetrics : IDisposable
{
    public static readonly ActivitySource ActivitySource = new(CommerceNotificationsDiagnostics.ActivitySourceName);

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _published;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _backfilled;
    private readonly UpDownCounter<long> _connections;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _channel;
    private readonly Counter<long> _overflowed;
    private readonly Counter<long> _publishDropped;
    private readonly Histogram<int> _commitSize;

    public NotificationMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(CommerceNotificationsDiagnostics.MeterName) ?? new Meter(CommerceNotificationsDiagnostics.MeterName);
        _published = _meter.CreateCounter<long>("commerce.notifications.published", "{message}", "Notifications and room events published by this instance, by kind.");
        _delivered = _meter.CreateCounter<long>("commerce.notifications.delivered", "{notification}", "Notifications delivered live to a local subscriber.");
        _backfilled = _meter.CreateCounter<long>("commerce.notifications.backfilled", "{notification}", "Notifications delivered from PostgreSQL to fill a gap or resume.");
        _connections = _meter.CreateUpDownCounter<long>("commerce.notifications.connections", "{connection}", "Subscribers (SignalR and SSE connections) on this instance.");
        _latency = _meter.CreateHistogram<double>("commerce.notifications.delivery.latency", "s", "From creation to hand-over to a local subscriber's transport.");
        _channel = _meter.CreateCounter<long>("commerce.notifications.channel.deliveries", "{delivery}", "Out-of-band delivery attempts, by channel and outcome.");
        _overflowed = _meter.CreateCounter<long>("commerce.notifications.subscriber.overflows", "{overflow}", "Times a slow client fell SubscriberBufferSize behind and was caught up from PostgreSQL instead.");
        _commitSize = _meter.CreateHistogram<int>("commerce.notifications.store.commit.size", "{notification}", "Notifications stored together in one group commit.");
        _publishDropped = _meter.CreateCounter<long>("commerce.notifications.publish.dropped", "{message}", "Messages not published to Redis: the publish queue was full, or Redis refused them past the retry window.");
    }

    public void Published(string kind) => _published.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void Delivered(TimeSpan latency)
    {
        _delivered.Add(1);
        _latency.Record(Math.Max(0, latency.TotalSeconds));
    }

    public void Backfilled() => _backfilled.Add(1);

    public void Connected(int delta) => _connections.Add(delta);

    public void Overflowed() => _overflowed.Add(1);

    public void PublishDropped() => _publishDropped.Add(1);

    public void StoreCommitted(int notifications) => _commitSize.Record(notifications);

    public void ChannelAttempt(string channel, string outcome) =>
        _channel.Add(1, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("outcome", outcome));

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
