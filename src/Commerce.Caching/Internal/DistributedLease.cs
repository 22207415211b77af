using System.Collections.Concurrent;

namespace Commerce.Caching.Internal;

/// <summary>
/// Distributed stampede protection after a miss: take the key's lease in Redis (then this instance runs the factory
/// and writes with the lease's token), or wait for the holder's value, woken by its fill message and re-reading
/// with backoff, until the lease would have expired. Waiters are dropped when they stop waiting, so the table of
/// them stays as small as the number of waits in progress.
/// </summary>
internal sealed class DistributedLease(RedisLevel redis, RedisEntryReader reader, string instance, CommerceCacheOptions options, TimeProvider time)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);
    private long _counter;

    public int Waiting => _waiters.Count;

    /// <summary>The holder of <paramref name="key"/>'s lease wrote its value.</summary>
    public void OnFilled(string key)
    {
        if (_waiters.TryRemove(key, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>
    /// A fresh entry (someone else's value), or the lease (<c>Token</c> set; <c>Entry</c> is what Redis held when it was
    /// taken), or neither (Redis unreachable or the lease expired: run the factory without it).
    /// </summary>
    public async Task<(RedisEntry Entry, string? Token)> AcquireOrWaitAsync(string key, string? scope, GenerationState[] tags, CancellationToken cancellationToken)
    {
        var token = $"{instance}:{Interlocked.Increment(ref _counter)}";
        var deadline = time.GetTimestamp() + (long)(options.DistributedLockLease.TotalSeconds * time.TimestampFrequency);
        var delay = FirstDelay;
        TaskCompletionSource? waiter = null;
        try
        {
            while (true)
            {
                waiter = _waiters.GetOrAdd(key, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                if (await redis.TryAcquireLeaseAsync(key, scope, token, cancellationToken).ConfigureAwait(false))
                {
                    // The holder may have filled between our read and our lease: check once more.
                    var again = await reader.ReadAsync(key, scope, tags, cancellationToken).ConfigureAwait(false);
                    if (again.Status == RedisEntryStatus.Fresh)
                    {
                        Release(key, scope, token);
                        return (again, null);
                    }

                    return (again, token);
                }

                if (!redis.IsAvailable || time.GetTimestamp() >= deadline)
                {
                    return (default, null);
                }

                await Task.WhenAny(waiter.Task, Task.Delay(delay, time, CancellationToken.None)).WaitAsync(cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
                var read = await reader.ReadAsync(key, scope, tags, cancellationToken).ConfigureAwait(false);
                if (read.Status == RedisEntryStatus.Fresh)
                {
                    return (read, null);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw;
        }
        finally
        {
            if (waiter is not null)
            {
                _waiters.TryRemove(new KeyValuePair<string, TaskCompletionSource>(key, waiter));
            }
        }
    }

    public void Release(string key, string? scope, string? token)
    {
        if (token is not null)
        {
            _ = redis.ReleaseLeaseAsync(key, scope, token);
        }
    }
}
