using Commerce.Shared;
using Npgsql;

namespace Commerce.Webhooks.Internal;

/// <summary>
/// Commits received messages to the inbox group-committed: the messages of requests that arrive together go in one
/// multi-row insert and one commit, and each request is answered only after the commit that holds its row. A
/// duplicate, also of another message in the same group, is answered as a duplicate. Wakes the processors after each
/// commit (coalesced).
/// </summary>
internal sealed class InboxWriter : IAsyncDisposable
{
    private const int MaxBatch = 256;
    private const int Flushers = 4;

    private readonly GroupCommitter<IncomingMessage, int, (long Id, bool Inserted)> _committer;

    public InboxWriter(InboxStore store, WebhooksConnections connections, TimeProvider time, WebhooksMetrics metrics)
    {
        _committer = new GroupCommitter<IncomingMessage, int, (long Id, bool Inserted)>(
            async (_, group) =>
            {
                var results = await InsertWithRetryAsync(store, group, time).ConfigureAwait(false);
                if (results.Any(r => r.Inserted))
                {
                    connections.InboxNotifier.Wake();
                }

                return results;
            },
            static _ => 0,
            static e => e is PostgresException { SqlState: not null } p && !p.IsTransient && p.SqlState[..2] is "22" or "23",
            MaxBatch,
            Flushers)
        {
            Committed = metrics.InboxCommitted,
        };
    }

    /// <summary>Stores one message; completes once it is committed.</summary>
    /// <exception cref="WebhooksUnavailableException">PostgreSQL failed; nothing was stored.</exception>
    public async Task<(long Id, bool Inserted)> WriteAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        try
        {
            return await _committer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new WebhooksUnavailableException("PostgreSQL failed; the webhook was not stored: " + e.Message, e);
        }
    }

    public ValueTask DisposeAsync() => _committer.DisposeAsync();

    /// <summary>A group PostgreSQL aborted to break a deadlock or a serialization conflict is tried again, twice at most.</summary>
    private static async Task<IReadOnlyList<(long Id, bool Inserted)>> InsertWithRetryAsync(InboxStore store, IReadOnlyList<IncomingMessage> group, TimeProvider time)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await store.InsertAsync(group, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            }
            catch (PostgresException e) when (attempt < 3 && e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
            }
        }
    }
}
