using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Commerce.Shared;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Commerce.Notifications.Internal;

/// <summary>Stores in PostgreSQL, then hands to the fan-out.</summary>
internal sealed class DefaultNotificationService : INotificationService, INotificationStreams
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly NotificationConnections _connections;
    private readonly NotificationStore _store;
    private readonly NotificationWriter _writer;
    private readonly NotificationCreations _creations;
    private readonly NotificationFanout _fanout;
    private readonly NotificationsOptions _options;
    private readonly TimeProvider _time;
    private readonly INotificationRoomAuthorizer _authorizer;
    private readonly IReadOnlySet<string> _channels;
    private readonly NotificationWorkerSignal _signal;
    private readonly ILogger _logger;

    public DefaultNotificationService(
        NotificationConnections connections,
        NotificationStore store,
        NotificationWriter writer,
        NotificationCreations creations,
        NotificationFanout fanout,
        IOptions<NotificationsOptions> options,
        TimeProvider time,
        INotificationRoomAuthorizer authorizer,
        IEnumerable<INotificationChannel> channels,
        NotificationWorkerSignal signal,
        ILogger<DefaultNotificationService> logger)
    {
        _connections = connections;
        _store = store;
        _writer = writer;
        _creations = creations;
        _fanout = fanout;
        _options = options.Value;
        _time = time;
        _authorizer = authorizer;
        _channels = channels.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        _signal = signal;
        _logger = logger;
    }

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        var applied = await PostgresMigrator.ApplyAsync(_connections.Postgres, _options.Schema, Assembly.GetExecutingAssembly(), cancellationToken).ConfigureAwait(false);
        if (applied.Count > 0)
        {
            Log.MigrationsApplied(_logger, string.Join(", ", applied), _options.Schema);
        }
    }

    public async Task<Notification> CreateAsync(NotificationRequest request, CancellationToken cancellationToken = default)
    {
        NotificationValidation.Validate(request, _channels);
        using var activity = NotificationMetrics.ActivitySource.StartActivity("notification create");
        activity?.SetTag("notification.type", request.Type);
        var created = await _writer.CreateAsync(request, cancellationToken).ConfigureAwait(false);
        if (created.IsNew)
        {
            _fanout.Publish(created.Notification);
            if (request.Channels is { Count: > 0 })
            {
                _signal.Wake();
            }
        }

        return created.Notification;
    }

    public async Task<Notification> CreateAsync(NotificationRequest request, NpgsqlTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        NotificationValidation.Validate(request, _channels);
        using var activity = NotificationMetrics.ActivitySource.StartActivity("notification create");
        activity?.SetTag("notification.type", request.Type);
        var created = (await _creations.CreateAsync([request], _time.GetUtcNow(), transaction, cancellationToken).ConfigureAwait(false))[0];
        if (created.IsNew)
        {
            // Delivered by PostgreSQL at commit, never on rollback: every instance then catches the recipient's streams up.
            await using var notify = new NpgsqlCommand("select pg_notify(@channel, @recipient)", transaction.Connection, transaction);
            notify.Parameters.AddWithValue("channel", _creations.CreatedChannel);
            notify.Parameters.AddWithValue("recipient", request.RecipientId);
            await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return created.Notification;
    }

    public async Task<Guid> EnqueueBulkAsync(BulkNotificationRequest request, CancellationToken cancellationToken = default)
    {
        NotificationValidation.Validate(request);
        var recipients = request.RecipientIds.Distinct(StringComparer.Ordinal).ToArray();
        var id = await _store.EnqueueBulkAsync(Guid.CreateVersion7(_time.GetUtcNow()), request, recipients, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        _signal.Wake();
        return id;
    }

    public Task<BulkNotificationStatus?> GetBulkStatusAsync(Guid jobId, CancellationToken cancellationToken = default) =>
        _store.GetBulkStatusAsync(jobId, cancellationToken);

    public Task<NotificationPage> GetPageAsync(string recipientId, long? beforeSequence = null, int limit = 20, bool unreadOnly = false, CancellationToken cancellationToken = default)
    {
        RequireRecipient(recipientId);
        return _store.GetPageAsync(recipientId, beforeSequence, Math.Clamp(limit, 1, _options.MaxPageSize), unreadOnly, cancellationToken);
    }

    public Task<IReadOnlyList<Notification>> GetSinceAsync(string recipientId, long afterSequence, int limit = 500, CancellationToken cancellationToken = default)
    {
        RequireRecipient(recipientId);
        return _store.GetSinceAsync(recipientId, afterSequence, Math.Clamp(limit, 1, 10_000), cancellationToken);
    }

    public Task<int> GetUnreadCountAsync(string recipientId, CancellationToken cancellationToken = default)
    {
        RequireRecipient(recipientId);
        return _store.GetUnreadCountAsync(recipientId, cancellationToken);
    }

    public Task<bool> MarkReadAsync(string recipientId, long notificationId, CancellationToken cancellationToken = default)
    {
        RequireRecipient(recipientId);
        return _store.MarkReadAsync(recipientId, notificationId, _time.GetUtcNow(), cancellationToken);
    }

    public Task<int> MarkAllReadAsync(string recipientId, CancellationToken cancellationToken = default)
    {
        RequireRecipient(recipientId);
        return _store.MarkAllReadAsync(recipientId, _time.GetUtcNow(), cancellationToken);
    }

    public Task PublishRoomEventAsync(string room, string type, object? data = null, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        NotificationValidation.Id(errors, "room", room);
        NotificationValidation.Id(errors, "type", type);
        NotificationValidation.Throw(errors);
        JsonElement? payload = data switch
        {
            null => null,
            JsonElement element => element.Clone(),
            _ => JsonSerializer.SerializeToElement(data, data.GetType(), Json),
        };
        _fanout.Publish(new RoomEvent(room, type, payload, _time.GetUtcNow()));
        return Task.CompletedTask;
    }

    public async Task<int> ApplyRetentionAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = _time.GetUtcNow() - _options.Retention;
        var total = 0;
        int deleted;
        do
        {
            deleted = await _store.DeleteOlderThanAsync(cutoff, 1000, cancellationToken).ConfigureAwait(false);
            total += deleted;
        }
        while (deleted == 1000);

        if (total > 0)
        {
            Log.RetentionApplied(_logger, total);
        }

        return total;
    }

    public async Task<NotificationSubscription> SubscribeAsync(string recipientId, long? afterSequence = null, CancellationToken cancellationToken = default)
    {
        RequireRecipient(recipientId);
        var subscriber = await _fanout.AddAsync(recipientId, afterSequence is { } after ? Math.Max(0, after) : null, cancellationToken).ConfigureAwait(false);
        return new NotificationSubscription(subscriber, _fanout, _authorizer, _options.MaxRoomsPerConnection);
    }

    public Task RemoveFromRoomAsync(string recipientId, string room, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        NotificationValidation.Id(errors, "recipientId", recipientId);
        NotificationValidation.Id(errors, "room", room);
        NotificationValidation.Throw(errors);
        _fanout.Publish(recipientId, new ControlMessage(room, null));
        return Task.CompletedTask;
    }

    public Task DisconnectAsync(string recipientId, string reason, CancellationToken cancellationToken = default)
    {
        RequireRecipient(recipientId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        _fanout.Publish(recipientId, new ControlMessage(null, reason));
        return Task.CompletedTask;
    }

    private static void RequireRecipient(string recipientId)
    {
        var errors = new Dictionary<string, string[]>();
        NotificationValidation.Id(errors, "recipientId", recipientId);
        NotificationValidation.Throw(errors);
    }
}
