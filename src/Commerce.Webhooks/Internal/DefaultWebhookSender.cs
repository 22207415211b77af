using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.Webhooks.Internal;

/// <summary>
/// Accepts messages into the outbox and delivers them: each attempt signed afresh (so its timestamp is current),
/// retried on the configured schedule with jitter, <c>Retry-After</c> honoured on 429 and 503, the endpoint disabled on
/// 410, each attempt bounded by a timeout, and at most <c>MaxConcurrencyPerEndpoint</c> in flight per endpoint.
/// </summary>
internal sealed class DefaultWebhookSender : IWebhookSender, IDisposable
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly ProductInfoHeaderValue UserAgent = new("Commerce.Webhooks", typeof(DefaultWebhookSender).Assembly.GetName().Version?.ToString(3));

    private readonly OutboxStore _store;
    private readonly WebhookSenderOptions _options;
    private readonly TimeProvider _time;
    private readonly WebhooksMetrics _metrics;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _perEndpoint = new();

    public DefaultWebhookSender(OutboxStore store, IOptions<WebhooksOptions> options, TimeProvider time, WebhooksMetrics metrics, ILogger<DefaultWebhookSender> logger)
    {
        _store = store;
        _options = options.Value.Sender;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _http = new HttpClient(DestinationGuard.CreateHandler(_options.AllowPrivateNetworks)) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<WebhookEndpoint> AddEndpointAsync(Uri url, IEnumerable<WebhookSecret>? secrets = null, Guid? id = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("A webhook endpoint URL must be absolute http or https.", nameof(url));
        }

        var exported = (secrets ?? [WebhookSecret.Generate()]).Select(s => s.Export()).ToArray();
        if (exported.Length == 0)
        {
            throw new ArgumentException("An endpoint needs at least one secret.", nameof(secrets));
        }

        var endpointId = id ?? Guid.CreateVersion7();
        await _store.UpsertEndpointAsync(endpointId, url, exported, cancellationToken).ConfigureAwait(false);
        return (await _store.GetEndpointAsync(endpointId, cancellationToken).ConfigureAwait(false))!;
    }

    public Task<WebhookEndpoint?> GetEndpointAsync(Guid id, CancellationToken cancellationToken = default) =>
        _store.GetEndpointAsync(id, cancellationToken);

    public Task SetEndpointEnabledAsync(Guid id, bool enabled, CancellationToken cancellationToken = default) =>
        _store.SetEnabledAsync(id, enabled, enabled ? null : "disabled by the application", cancellationToken);

    public Task<OutgoingWebhook> SendAsync(Guid endpointId, string type, object? data, string? path = null, string? messageId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WriteString("timestamp", _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            writer.WritePropertyName("data");
            JsonSerializer.Serialize(writer, data, data?.GetType() ?? typeof(object), Web);
            writer.WriteEndObject();
        }

        return SendRawAsync(endpointId, type, buffer.ToArray(), path, messageId, cancellationToken);
    }

    public Task<OutgoingWebhook> SendRawAsync(Guid endpointId, string type, ReadOnlyMemory<byte> body, string? path = null, string? messageId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        return _store.InsertAsync(endpointId, messageId ?? $"msg_{Guid.CreateVersion7():N}", type, path?.TrimStart('/'), body, _time.GetUtcNow(), cancellationToken);
    }

    public async Task<OutgoingWebhook?> GetAsync(long id, CancellationToken cancellationToken = default) =>
        (await _store.QueryAsync("id = @id", p => p.AddWithValue("id", id), cancellationToken).ConfigureAwait(false)).SingleOrDefault();

    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        // The lease covers the worst case of this pass: every message queued behind one endpoint's concurrency limit.
        var lease = (_options.AttemptTimeout * ((_options.BatchSize / _options.MaxConcurrencyPerEndpoint) + 1)) + TimeSpan.FromSeconds(30);
        var rows = await _store.ClaimAsync(now, now + lease, _options.BatchSize, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(rows.Select(row => DeliverAsync(row, cancellationToken))).ConfigureAwait(false);
        return rows.Count;
    }

    public void Dispose()
    {
        _http.Dispose();
        foreach (var gate in _perEndpoint.Values)
        {
            gate.Dispose();
        }
    }

    private async Task DeliverAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        if (!row.Enabled)
        {
            await _store.RecordAsync(row.Id, false, null, null, "The endpoint is disabled.", _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            return;
        }

        var gate = _perEndpoint.GetOrAdd(row.EndpointId, _ => new SemaphoreSlim(_options.MaxConcurrencyPerEndpoint));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await AttemptAsync(row, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task AttemptAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var activity = DefaultWebhookReceiver.Activities.StartActivity("commerce.webhooks.deliver");
        activity?.SetTag("commerce.webhooks.endpoint_id", row.EndpointId);
        activity?.SetTag("commerce.webhooks.message_id", row.MessageId);
        activity?.SetTag("commerce.webhooks.attempt", row.Attempts);

        var url = row.Path is null ? new Uri(row.Url) : new Uri(new Uri(row.Url.EndsWith('/') ? row.Url : row.Url + "/"), row.Path);
        var signedAt = _time.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(row.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.UserAgent.Add(UserAgent);
        request.Headers.Add(WebhookHeaders.Id, row.MessageId);
        request.Headers.Add(WebhookHeaders.Timestamp, signedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookHeaders.Signature, StandardWebhookSigner.Sign(row.MessageId, signedAt, row.Body, row.Secrets.Select(WebhookSecret.Parse)));

        int? status = null;
        TimeSpan? retryAfter = null;
        string? error;
        var permanent = false;
        using var timeout = new CancellationTokenSource(_options.AttemptTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                await _store.RecordAsync(row.Id, true, null, status, null, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                _metrics.Delivery("delivered", _time.GetElapsedTime(started));
                return;
            }

            error = $"HTTP {status}";
            if (response.StatusCode == HttpStatusCode.Gone)
            {
                permanent = true;
                error = "HTTP 410 Gone: the endpoint was disabled.";
                await _store.SetEnabledAsync(row.EndpointId, false, "The endpoint answered 410 Gone.", CancellationToken.None).ConfigureAwait(false);
                Log.EndpointDisabled(_logger, row.EndpointId);
            }
            else if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
            {
                retryAfter = response.Headers.RetryAfter switch
                {
                    { Delta: { } delta } => delta,
                    { Date: { } date } => date - _time.GetUtcNow(),
                    _ => null,
                };
            }
        }
        catch (HttpRequestException e) when (e is DestinationBlockedException || e.InnerException is DestinationBlockedException)
        {
            permanent = true;
            error = (e as DestinationBlockedException ?? (DestinationBlockedException)e.InnerException!).Message;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            error = $"No answer within {_options.AttemptTimeout.TotalSeconds:F0} s.";
        }
        catch (HttpRequestException e)
        {
            error = e.Message;
        }

        var schedule = _options.RetrySchedule;
        DateTimeOffset? next = null;
        if (!permanent && row.Attempts < schedule.Count)
        {
            var delay = schedule[row.Attempts];
            delay = TimeSpan.FromTicks((long)(delay.Ticks * (1 + (_options.Jitter * ((Random.Shared.NextDouble() * 2) - 1)))));
            if (retryAfter is { } wait && wait > delay)
            {
                delay = wait;
            }

            next = _time.GetUtcNow() + delay;
        }

        await _store.RecordAsync(row.Id, false, next, status, error, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        _metrics.Delivery(permanent && status == 410 ? "gone" : next is null ? "failed" : "retried", _time.GetElapsedTime(started));
        Log.DeliveryFailed(_logger, row.Id, row.EndpointId, row.Attempts, error ?? "unknown");
    }
}
