namespace Commerce.Notifications;

/// <summary>Creates, lists and marks notifications, and publishes room events.</summary>
public interface INotificationService
{
    /// <summary>Creates or upgrades the PostgreSQL schema (also done at start unless turned off).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the schema is current.</returns>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a notification (and its out-of-band deliveries), group-committed with the creations that arrive together,
    /// then publishes it to every instance. Once this returns it is durable: a client connected anywhere gets it live, or
    /// on resume. With an <see cref="NotificationRequest.IdempotencyKey"/> already used for the recipient, it returns
    /// that notification and stores and sends nothing.
    /// </summary>
    /// <param name="request">The notification.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored notification with its sequence.</returns>
    /// <exception cref="NotificationValidationException">The request breaks a rule.</exception>
    Task<Notification> CreateAsync(NotificationRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a notification inside the application's own PostgreSQL transaction, so the application's change and the
    /// notification commit together or not at all. When the transaction commits, every instance is told (PostgreSQL
    /// NOTIFY) and its clients of the recipient get it; on rollback nothing exists and nothing is sent. The
    /// transaction's database must hold this package's schema. Not group-committed: it is your transaction.
    /// </summary>
    /// <param name="request">The notification.</param>
    /// <param name="transaction">The application's open transaction.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The notification as it is stored once the transaction commits.</returns>
    /// <exception cref="NotificationValidationException">The request breaks a rule.</exception>
    Task<Notification> CreateAsync(NotificationRequest request, Npgsql.NpgsqlTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>
    /// Queues one notification for many recipients; a background worker creates them in batches. With an
    /// <see cref="BulkNotificationRequest.IdempotencyKey"/> already used, it returns that job's id and queues nothing.
    /// </summary>
    /// <param name="request">The notification and its recipients.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job's id, for <see cref="GetBulkStatusAsync"/>.</returns>
    /// <exception cref="NotificationValidationException">The request breaks a rule.</exception>
    Task<Guid> EnqueueBulkAsync(BulkNotificationRequest request, CancellationToken cancellationToken = default);

    /// <summary>The progress of a bulk creation, or null if there is no such job.</summary>
    /// <param name="jobId">The job.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Its status.</returns>
    Task<BulkNotificationStatus?> GetBulkStatusAsync(Guid jobId, CancellationToken cancellationToken = default);

    /// <summary>A page of a recipient's notifications, newest first.</summary>
    /// <param name="recipientId">The user.</param>
    /// <param name="beforeSequence">Only older than this (the previous page's <c>NextBefore</c>); null for the newest.</param>
    /// <param name="limit">At most this many (capped by <c>MaxPageSize</c>).</param>
    /// <param name="unreadOnly">Only unread ones.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    Task<NotificationPage> GetPageAsync(string recipientId, long? beforeSequence = null, int limit = 20, bool unreadOnly = false, CancellationToken cancellationToken = default);

    /// <summary>A recipient's notifications after <paramref name="afterSequence"/>, oldest first (what a client missed).</summary>
    /// <param name="recipientId">The user.</param>
    /// <param name="afterSequence">The last sequence the client has.</param>
    /// <param name="limit">At most this many.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The notifications in sequence order.</returns>
    Task<IReadOnlyList<Notification>> GetSinceAsync(string recipientId, long afterSequence, int limit = 500, CancellationToken cancellationToken = default);

    /// <summary>The recipient's unread notifications.</summary>
    /// <param name="recipientId">The user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The count.</returns>
    Task<int> GetUnreadCountAsync(string recipientId, CancellationToken cancellationToken = default);

    /// <summary>Marks one notification read. Marking it again, or one of another recipient, changes nothing.</summary>
    /// <param name="recipientId">The user (a user can only mark its own).</param>
    /// <param name="notificationId">The notification.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when this call marked it; false when it was already read or is not the recipient's.</returns>
    Task<bool> MarkReadAsync(string recipientId, long notificationId, CancellationToken cancellationToken = default);

    /// <summary>Marks every unread notification of the recipient read.</summary>
    /// <param name="recipientId">The user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many this call marked.</returns>
    Task<int> MarkAllReadAsync(string recipientId, CancellationToken cancellationToken = default);

    /// <summary>Publishes a live event to everyone in a room, on every instance. Best-effort: not stored.</summary>
    /// <param name="room">The room, for example <c>shop:42</c>.</param>
    /// <param name="type">The event, for example <c>dashboard_update</c>.</param>
    /// <param name="data">Its payload, serialized as JSON.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when handed to Redis (and to this instance's members).</returns>
    Task PublishRoomEventAsync(string room, string type, object? data = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes notifications older than the retention period now (the background service does it hourly).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many were deleted.</returns>
    Task<int> ApplyRetentionAsync(CancellationToken cancellationToken = default);
}
