using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Commerce.Webhooks.Internal;

/// <summary>
/// The sender's API: endpoint management, accepting messages into the outbox (alone, in the application's
/// transaction, or fanned out by event type), the operator's reads, resend and recovery. Delivery itself is the
/// <see cref="OutboxDispatcher"/>'s.
/// </summary>
internal sealed class DefaultWebhookSender(
    OutboxStore store,
    EndpointStore endpoints,
    OutboxDispatcher dispatcher,
    IOptions<WebhooksOptions> options,
    TimeProvider time) : IWebhookSender
{
    private const int PurgeStep = 5_000;
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private readonly WebhookSenderOptions _options = options.Value.Sender;

    public async Task<WebhookEndpoint> AddEndpointAsync(Uri url, IEnumerable<WebhookSecret>? secrets = null, Guid? id = null, IEnumerable<string>? eventTypes = null, string? description = null, CancellationToken cancellationToken = default)
    {
        EnsureUrl(url);
        var exported = ExportSecrets(secrets ?? [WebhookSecret.Generate()]);
        var types = eventTypes?.ToArray();
        var endpointId = id ?? Guid.CreateVersion7();
        await Unavailable(() => endpoints.UpsertAsync(endpointId, url, exported, types is { Length: > 0 } ? types : null, description, cancellationToken)).ConfigureAwait(false);
        return (await endpoints.GetAsync(endpointId, cancellationToken).ConfigureAwait(false))!;
    }

    public Task<WebhookEndpoint?> GetEndpointAsync(Guid id, CancellationToken cancellationToken = default) =>
        endpoints.GetAsync(id, cancellationToken);

    public Task<IReadOnlyList<WebhookEndpoint>> ListEndpointsAsync(string? eventType = null, CancellationToken cancellationToken = default) =>
        endpoints.ListAsync(eventType, cancellationToken);

    public async Task<WebhookEndpoint?> UpdateEndpointAsync(Guid id, WebhookEndpointUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.Url is not null)
        {
            EnsureUrl(update.Url);
        }

        var secrets = update.Secrets is null ? null : ExportSecrets(update.Secrets);
        var updated = await endpoints.UpdateAsync(
            id, update.Url, secrets, update.EventTypes?.ToArray(), update.Description, update.Enabled,
            update.Enabled == false ? "disabled by the application" : null, cancellationToken).ConfigureAwait(false);
        return updated ? await endpoints.GetAsync(id, cancellationToken).ConfigureAwait(false) : null;
    }

    public Task<bool> DeleteEndpointAsync(Guid id, CancellationToken cancellationToken = default) =>
        endpoints.DeleteAsync(id, cancellationToken);

    public Task SetEndpointEnabledAsync(Guid id, bool enabled, CancellationToken cancellationToken = default) =>
        endpoints.SetEnabledAsync(id, enabled, enabled ? null : "disabled by the application", cancellationToken);

    public Task<OutgoingWebhook> SendAsync(Guid endpointId, string type, object? data, string? path = null, string? messageId = null, CancellationToken cancellationToken = default) =>
        SendRawAsync(endpointId, type, Envelope(type, data), null, path, messageId, cancellationToken);

    public Task<OutgoingWebhook> SendAsync(Guid endpointId, string type, object? data, NpgsqlTransaction transaction, string? path = null, string? messageId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return SendRawAsync(endpointId, type, Envelope(type, data), transaction, path, messageId, cancellationToken);
    }

    public Task<OutgoingWebhook> SendRawAsync(Guid endpointId, string type, ReadOnlyMemory<byte> body, string? path = null, string? messageId = null, CancellationToken cancellationToken = default) =>
        SendRawAsync(endpointId, type, body, null, path, messageId, cancellationToken);

    public async Task<IReadOnlyList<OutgoingWebhook>> PublishAsync(string type, object? data, string? messageId = null, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        var id = MessageIdOrNew(messageId);
        return await Unavailable(() => store.PublishAsync(id, type, Envelope(type, data), time.GetUtcNow(), transaction, cancellationToken)).ConfigureAwait(false);
    }

    public Task<OutgoingWebhook?> GetAsync(long id, CancellationToken cancellationToken = default) =>
        store.GetAsync(id, cancellationToken);

    public Task<IReadOnlyList<OutgoingWebhook>> ListAsync(Guid endpointId, OutgoingWebhookStatus? status = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return store.ListAsync(endpointId, status?.ToString().ToLowerInvariant(), limit, cancellationToken);
    }

    public Task<IReadOnlyList<WebhookAttempt>> GetAttemptsAsync(long id, CancellationToken cancellationToken = default) =>
        store.GetAttemptsAsync(id, cancellationToken);

    public Task<bool> ResendAsync(long id, CancellationToken cancellationToken = default) =>
        store.ResendAsync(id, time.GetUtcNow(), cancellationToken);

    public Task<int> RecoverAsync(Guid endpointId, DateTimeOffset since, CancellationToken cancellationToken = default) =>
        store.RecoverAsync(endpointId, since, time.GetUtcNow(), cancellationToken);

    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken = default)
    {
        // Claim again as endpoints free their slots, until nothing is due or a batch is attempted; each message once.
        var total = 0;
        var running = new List<Task>();
        var attempted = new HashSet<long>();
        while (total < _options.BatchSize)
        {
            running.RemoveAll(t => t.IsCompleted);
            var wereRunning = running.Count > 0; // taken before the claim: a delivery that ends after it frees a slot
            var (claimed, started) = await dispatcher.ClaimAndStartAsync(cancellationToken, attempted).ConfigureAwait(false);
            total += claimed;
            running.Add(started);
            if (claimed == 0)
            {
                if (!wereRunning)
                {
                    break;
                }

                var pending = running.Where(t => !t.IsCompleted).ToList();
                if (pending.Count > 0)
                {
                    await Task.WhenAny(pending).ConfigureAwait(false);
                }
            }
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        return total;
    }

    public async Task<long> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = time.GetUtcNow() - _options.Retention;
        long total = 0;
        long deleted;
        do
        {
            deleted = await store.PurgeAsync(cutoff, PurgeStep, cancellationToken).ConfigureAwait(false);
            total += deleted;
        }
        while (deleted == PurgeStep);
        return total;
    }

    private async Task<OutgoingWebhook> SendRawAsync(Guid endpointId, string type, ReadOnlyMemory<byte> body, NpgsqlTransaction? transaction, string? path, string? messageId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        var normalized = DeliveryPaths.Normalize(path);
        var id = MessageIdOrNew(messageId);
        var stored = await Unavailable(() => store.InsertAsync(endpointId, id, type, normalized, body, time.GetUtcNow(), transaction, cancellationToken)).ConfigureAwait(false);
        return stored ?? throw new InvalidOperationException($"There is no webhook endpoint {endpointId}.");
    }

    private byte[] Envelope(string type, object? data)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WriteString("timestamp", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            writer.WritePropertyName("data");
            JsonSerializer.Serialize(writer, data, data?.GetType() ?? typeof(object), Web);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string MessageIdOrNew(string? messageId)
    {
        if (messageId is null)
        {
            return $"msg_{Guid.CreateVersion7():N}";
        }

        return MessageIds.Problem(messageId) is { } problem ? throw new ArgumentException(problem, nameof(messageId)) : messageId;
    }

    private static void EnsureUrl(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || url.Fragment.Length > 0)
        {
            throw new ArgumentException("A webhook endpoint URL must be absolute http or https, without a fragment.", nameof(url));
        }
    }

    private static string[] ExportSecrets(IEnumerable<WebhookSecret> secrets)
    {
        var list = secrets.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("An endpoint needs at least one secret.", nameof(secrets));
        }

        list.ForEach(s => WebhookSecret.EnsureStandardLength(s.Key.Length, nameof(secrets)));
        return list.Select(s => s.Export()).ToArray();
    }

    private static async Task<T> Unavailable<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (NpgsqlException e) when (e is not PostgresException { SqlState: "25P02" })
        {
            throw new WebhooksUnavailableException("PostgreSQL failed; the webhook was not stored: " + e.Message, e);
        }
    }

    private static async Task Unavailable(Func<Task> operation) =>
        await Unavailable(async () =>
        {
            await operation().ConfigureAwait(false);
            return 0;
        }).ConfigureAwait(false);
}
