using Commerce.Shared;
using Npgsql;

namespace Commerce.Notifications.Internal;

/// <summary>
/// Creates notifications group-committed: the creations that arrive while a commit is under way share the next one
/// (one statement, one commit), and each caller is answered only after the commit that holds its notification. A group
/// PostgreSQL refuses for its data (an idempotency key two groups used at once) is retried request by request.
/// </summary>
internal sealed class NotificationWriter : IAsyncDisposable
{
    private const int MaxBatch = 256;
    private const int Flushers = 2;
    private readonly GroupCommitter<NotificationRequest, int, Created> _committer;

    public NotificationWriter(NotificationCreations creations, TimeProvider time, NotificationMetrics metrics)
    {
        _committer = new GroupCommitter<NotificationRequest, int, Created>(
            (_, group) => creations.CreateAsync(group, time.GetUtcNow(), null, CancellationToken.None),
            static _ => 0,
            static e => e is PostgresException { SqlState: not null } p && !p.IsTransient && p.SqlState[..2] is "22" or "23",
            MaxBatch,
            Flushers)
        {
            Committed = metrics.StoreCommitted,
        };
    }

    /// <summary>Creates one notification; completes once it is committed.</summary>
    public Task<Created> CreateAsync(NotificationRequest request, CancellationToken cancellationToken) =>
        _committer.WriteAsync(request, cancellationToken);

    public ValueTask DisposeAsync() => _committer.DisposeAsync();
}
