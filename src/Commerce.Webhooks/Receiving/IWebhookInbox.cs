namespace Commerce.Webhooks;

/// <summary>The received webhooks: processing, dead letters and replay.</summary>
public interface IWebhookInbox
{
    /// <summary>Creates or upgrades the PostgreSQL schema (also done at start unless turned off).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the schema is current.</returns>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Processes the messages that are due now, up to <see cref="WebhooksOptions.InboxBatchSize"/>, and returns when
    /// they are done (the background processor does this continuously).
    /// </summary>
    /// <param name="cancellationToken">Cancels the pass.</param>
    /// <returns>How many messages were attempted (including those parked dead at claim).</returns>
    Task<int> ProcessDueAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads one message.</summary>
    /// <param name="id">The inbox id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message, or null.</returns>
    Task<InboxMessage?> GetAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Finds a message by its sender's id.</summary>
    /// <param name="source">The source.</param>
    /// <param name="messageId">The sender's message id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message, or null.</returns>
    Task<InboxMessage?> FindAsync(string source, string messageId, CancellationToken cancellationToken = default);

    /// <summary>Lists dead messages, oldest first.</summary>
    /// <param name="limit">At most this many.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The dead messages.</returns>
    Task<IReadOnlyList<InboxMessage>> GetDeadAsync(int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>Sends a dead message back to processing, with its attempts reset.</summary>
    /// <param name="id">The inbox id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when there is no dead message with this id.</returns>
    Task<bool> ReplayAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies the retention now (the background purge does this every <see cref="WebhooksOptions.PurgeInterval"/>):
    /// drops the bodies of messages processed more than <see cref="WebhooksOptions.ProcessedBodyRetention"/> ago and
    /// deletes those processed more than <see cref="WebhooksOptions.DeduplicationWindow"/> ago. Dead and pending
    /// messages are never purged.
    /// </summary>
    /// <param name="cancellationToken">Cancels the pass.</param>
    /// <returns>What was removed.</returns>
    Task<WebhookPurgeResult> PurgeAsync(CancellationToken cancellationToken = default);
}
