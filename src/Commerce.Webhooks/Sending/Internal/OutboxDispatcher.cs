using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.Webhooks.Internal;

/// <summary>
/// Delivers claimed outbox messages, each on its own: a claim takes, per endpoint, only as many messages as that
/// endpoint has free slots on this instance (<see cref="WebhookSenderOptions.MaxConcurrencyPerEndpoint"/>), so a slow
/// or failing endpoint only ever holds its own slots and never delays another's deliveries. An endpoint that asks to
/// slow down (429, 502, 503, 504) is paused on this instance until its <c>Retry-After</c> (or its next scheduled
/// delay, at most a minute). Each attempt is logged and its outcome recorded, fenced by the claim token.
/// </summary>
internal sealed class OutboxDispatcher : IDisposable
{
    private static readonly TimeSpan MaxPause = TimeSpan.FromMinutes(1);
    private readonly OutboxStore _store;
    private readonly EndpointStore _endpoints;
    private readonly WebhookSenderOptions _options;
    private readonly TimeProvider _time;
    private readonly WebhooksMetrics _metrics;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly WebhookDeliverer _deliverer;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<Guid, int> _inFlight = new();
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _pausedUntil = new();

    public OutboxDispatcher(OutboxStore store, EndpointStore endpoints, IOptions<WebhooksOptions> options, TimeProvider time, WebhooksMetrics metrics, ILogger<OutboxDispatcher> logger)
    {
        _store = store;
        _endpoints = endpoints;
        _options = options.Value.Sender;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _http = new HttpClient(DestinationGuard.CreateHandler(_options.AllowPrivateNetworks)) { Timeout = Timeout.InfiniteTimeSpan };
        _deliverer = new WebhookDeliverer(_http, _options, time);
        _slots = new SemaphoreSlim(_options.BatchSize, _options.BatchSize);
    }

    /// <summary>Released whenever a delivery finishes, so the dispatcher can claim for the endpoint that has room again.</summary>
    public SemaphoreSlim Finished { get; } = new(0);

    /// <summary>
    /// Claims what the free slots can start now and starts each delivery; returns how many and the task of them all.
    /// Messages in <paramref name="attempted"/> are not claimed, and those claimed now are added to it.
    /// </summary>
    public async Task<(int Claimed, Task Running)> ClaimAndStartAsync(CancellationToken stopping, HashSet<long>? attempted = null)
    {
        var free = _slots.CurrentCount;
        if (free == 0)
        {
            return (0, Task.CompletedTask);
        }

        var now = _time.GetUtcNow();
        var busy = new Dictionary<Guid, int>();
        foreach (var (endpoint, inFlight) in _inFlight)
        {
            busy[endpoint] = Math.Max(0, _options.MaxConcurrencyPerEndpoint - inFlight);
        }

        foreach (var (endpoint, until) in _pausedUntil)
        {
            if (until > now)
            {
                busy[endpoint] = 0;
            }
            else
            {
                _pausedUntil.TryRemove(endpoint, out _);
            }
        }

        var lease = now + _options.AttemptTimeout + TimeSpan.FromSeconds(30);
        var rows = await _store.ClaimAsync(now, lease, Guid.NewGuid(), free, _options.MaxConcurrencyPerEndpoint, busy, (IReadOnlyCollection<long>?)attempted ?? [], stopping).ConfigureAwait(false);
        attempted?.UnionWith(rows.Select(r => r.Id));
        var running = new List<Task>(rows.Count);
        foreach (var row in rows)
        {
            await _slots.WaitAsync(CancellationToken.None).ConfigureAwait(false); // the claim sized itself to the free slots
            _inFlight.AddOrUpdate(row.EndpointId, 1, static (_, n) => n + 1);
            running.Add(Task.Run(() => DeliverAsync(row, stopping), CancellationToken.None));
        }

        return (rows.Count, Task.WhenAll(running));
    }

    public void Dispose()
    {
        _http.Dispose();
        _slots.Dispose();
        Finished.Dispose();
    }

    private async Task DeliverAsync(OutboxRow row, CancellationToken stopping)
    {
        try
        {
            await AttemptAsync(row, stopping).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.BackgroundPassFailed(_logger, e); // the lease runs out and the message is tried again
        }
        finally
        {
            _inFlight.AddOrUpdate(row.EndpointId, 0, static (_, n) => n - 1);
            _inFlight.TryRemove(new KeyValuePair<Guid, int>(row.EndpointId, 0));
            _slots.Release();
            Finished.Release();
        }
    }

    private async Task AttemptAsync(OutboxRow row, CancellationToken stopping)
    {
        var started = _time.GetTimestamp();
        var attemptedAt = _time.GetUtcNow();
        using var activity = CommerceWebhooksDiagnostics.ActivitySource.StartActivity("commerce.webhooks.deliver");
        activity?.SetTag("commerce.webhooks.endpoint_id", row.EndpointId);
        activity?.SetTag("commerce.webhooks.message_id", row.MessageId);
        activity?.SetTag("commerce.webhooks.attempt", row.Attempts);

        var result = await _deliverer.DeliverAsync(row, stopping).ConfigureAwait(false);
        var duration = _time.GetElapsedTime(started);
        DateTimeOffset? next = null;
        if (!result.Delivered && !result.Permanent && row.Attempts < _options.RetrySchedule.Count)
        {
            var delay = _options.RetrySchedule[row.Attempts];
            delay = TimeSpan.FromTicks((long)(delay.Ticks * (1 + (_options.Jitter * ((Random.Shared.NextDouble() * 2) - 1)))));
            if (result.RetryAfter is { } wait && wait > delay)
            {
                delay = wait;
            }

            next = _time.GetUtcNow() + delay;
            if (result.Throttled)
            {
                var pause = result.RetryAfter ?? delay;
                _pausedUntil[row.EndpointId] = _time.GetUtcNow() + (pause > MaxPause ? MaxPause : pause);
            }
        }

        if (result.Gone)
        {
            await _endpoints.SetEnabledAsync(row.EndpointId, false, "The endpoint answered 410 Gone.", CancellationToken.None).ConfigureAwait(false);
            Log.EndpointDisabled(_logger, row.EndpointId);
        }

        var recorded = await _store.RecordAsync(
            new DeliveryRecord(row.Id, row.ClaimToken, row.Attempts, result.Delivered, next, result.Status, result.Error, attemptedAt, duration, result.Excerpt),
            _time.GetUtcNow(),
            CancellationToken.None).ConfigureAwait(false);

        var outcome = result.Delivered ? "delivered" : result.Gone ? "gone" : next is null ? "failed" : "retried";
        _metrics.Delivery(outcome, duration);
        if (!result.Delivered)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, result.Error);
            Log.DeliveryFailed(_logger, row.Id, row.EndpointId, row.Attempts, result.Error ?? "unknown");
        }

        if (!recorded)
        {
            Log.OutcomeFenced(_logger, row.Id, row.Type);
        }
    }
}
