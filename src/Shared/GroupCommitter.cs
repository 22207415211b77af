using System.Threading.Channels;

namespace Commerce.Shared;

/// <summary>
/// Group commit for PostgreSQL writes that must be durable before their caller is answered. Writes that arrive while
/// a commit is under way wait for the next one, which takes them all (up to a batch, split into groups by key) in one
/// statement and one commit, so a busy path costs a commit per batch rather than per write. Each caller is answered
/// only after the commit that holds its write. A group PostgreSQL refuses for its data is retried item by item, so one
/// bad write fails only its own caller. Shared source, linked into each package that group-commits.
/// </summary>
/// <typeparam name="TItem">One write.</typeparam>
/// <typeparam name="TKey">Writes of one key share a statement (use one constant key when all can).</typeparam>
/// <typeparam name="TResult">What each caller is answered.</typeparam>
internal sealed class GroupCommitter<TItem, TKey, TResult> : IAsyncDisposable
    where TKey : notnull
{
    private readonly Func<TKey, IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> _commit;
    private readonly Func<TItem, TKey> _key;
    private readonly Func<Exception, bool> _isAboutTheData;
    private readonly int _maxBatch;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Lazy<Task[]> _flushers;

    /// <summary>Creates a committer; its flush loops start with the first write.</summary>
    /// <param name="commit">Writes one group in one commit; returns one result per item, in order.</param>
    /// <param name="key">The group of an item.</param>
    /// <param name="isAboutTheData">True for an error caused by the data of some item (retry item by item), false for an infrastructure fault (fail the group).</param>
    /// <param name="maxBatch">The most items one pass takes.</param>
    /// <param name="flushers">Commits in flight at once.</param>
    public GroupCommitter(
        Func<TKey, IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> commit,
        Func<TItem, TKey> key,
        Func<Exception, bool> isAboutTheData,
        int maxBatch,
        int flushers)
    {
        _commit = commit;
        _key = key;
        _isAboutTheData = isAboutTheData;
        _maxBatch = maxBatch;
        _flushers = new Lazy<Task[]>(() => Enumerable.Range(0, flushers).Select(_ => Task.Run(FlushLoopAsync)).ToArray());
    }

    /// <summary>Fires after each commit with the number of items it held (for a metric).</summary>
    public Action<int>? Committed { get; init; }

    /// <summary>Writes one item; completes once it is committed (or refused).</summary>
    /// <param name="item">The write.</param>
    /// <param name="cancellationToken">Stops the wait, not the write: a queued write is never half-made.</param>
    /// <returns>The item's result.</returns>
    public Task<TResult> WriteAsync(TItem item, CancellationToken cancellationToken)
    {
        _ = _flushers.Value;
        var pending = new Pending(item, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(pending), this);
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Stops taking writes, then finishes those queued.</summary>
    /// <returns>A task that completes when every queued write is answered.</returns>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_flushers.IsValueCreated)
        {
            await Task.WhenAll(_flushers.Value).ConfigureAwait(false);
        }
    }

    private async Task FlushLoopAsync()
    {
        var batch = new List<Pending>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            foreach (var group in batch.GroupBy(p => _key(p.Item)))
            {
                await FlushAsync(group.Key, group.ToList()).ConfigureAwait(false);
            }
        }
    }

    private async Task FlushAsync(TKey key, List<Pending> group)
    {
        try
        {
            var results = await _commit(key, group.ConvertAll(p => p.Item)).ConfigureAwait(false);
            Committed?.Invoke(group.Count);
            for (var i = 0; i < group.Count; i++)
            {
                group[i].Done.TrySetResult(results[i]);
            }
        }
        catch (Exception e) when (group.Count > 1 && _isAboutTheData(e))
        {
            foreach (var pending in group)
            {
                await FlushAsync(key, [pending]).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            group.ForEach(p => p.Done.TrySetException(e));
        }
    }

    private sealed record Pending(TItem Item, TaskCompletionSource<TResult> Done);
}
