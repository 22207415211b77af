using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.Webhooks.Internal;

/// <summary>
/// Keeps the leases of the inbox messages this instance holds alive while their handlers run: every third of
/// <see cref="WebhooksOptions.ProcessingLease"/> it renews them all in one statement, each under its claim token. A
/// claim is lost, and its handler told to stop (its outcome is not written), when PostgreSQL no longer gives it this
/// instance (another processor claimed the message), when its lease ran out without a renewal (PostgreSQL unreachable
/// meanwhile: another instance may be running the message now), or when this instance claimed the message again under
/// a new token. Claims are kept per message and token, so an old claim's end never touches a newer one.
/// </summary>
internal sealed class InboxLeaseKeeper : IAsyncDisposable
{
    private readonly ConcurrentDictionary<long, Held> _held = new();
    private readonly InboxStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lease;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lazy<Task> _loop;

    public InboxLeaseKeeper(InboxStore store, IOptions<WebhooksOptions> options, TimeProvider time, ILogger<InboxLeaseKeeper> logger)
    {
        _store = store;
        _time = time;
        _lease = options.Value.ProcessingLease;
        _logger = logger;
        _loop = new Lazy<Task>(() => Task.Run(RenewLoopAsync));
    }

    /// <summary>How long a claim lasts from now.</summary>
    public DateTimeOffset LeaseUntil() => _time.GetUtcNow() + _lease;

    /// <summary>
    /// Starts keeping the leases of rows just claimed (each under its claim token) until <paramref name="leaseUntil"/>,
    /// the lease the claim wrote.
    /// </summary>
    public void Hold(IEnumerable<InboxRow> rows, DateTimeOffset leaseUntil, CancellationToken stopping)
    {
        _ = _loop.Value;
        foreach (var row in rows)
        {
            var id = row.Id;
            var held = new Held(row.ClaimToken, leaseUntil, _time, () => Log.LeaseLost(_logger, id), stopping);
            Held? older = null;
            _held.AddOrUpdate(row.Id, held, (_, previous) =>
            {
                older = previous;
                return held;
            });
            if (older is not null && older.Token != row.ClaimToken)
            {
                // claimed again here (its lease ran out): the older claim's handler stops, and its sources go
                _ = LoseAsync(row.Id, older).ContinueWith(_ => older.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Cancelled when the host stops or the row's claim is lost.</summary>
    public CancellationToken TokenOf(InboxRow row) =>
        _held.TryGetValue(row.Id, out var held) && held.Token == row.ClaimToken ? held.Cancel.Token : new CancellationToken(canceled: true);

    /// <summary>True once the row's claim is lost.</summary>
    public bool IsLost(InboxRow row) => !_held.TryGetValue(row.Id, out var held) || held.Token != row.ClaimToken || held.Lost;

    /// <summary>Stops keeping a row's lease (its outcome is written, or it is given back); a newer claim of it is kept.</summary>
    public void Release(InboxRow row)
    {
        if (_held.TryGetValue(row.Id, out var held) && held.Token == row.ClaimToken && _held.TryRemove(new KeyValuePair<long, Held>(row.Id, held)))
        {
            held.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop.IsValueCreated)
        {
            await _loop.Value.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task RenewLoopAsync()
    {
        using var timer = new PeriodicTimer(_lease / 3, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                var held = _held.Where(h => !h.Value.Lost).ToList();
                if (held.Count == 0)
                {
                    continue;
                }

                var until = LeaseUntil();
                try
                {
                    var stillHeld = await _store.RenewAsync(held.Select(h => (h.Key, h.Value.Token)).ToList(), until, _stop.Token).ConfigureAwait(false);
                    foreach (var (id, claim) in held)
                    {
                        if (stillHeld.Contains(id))
                        {
                            claim.Extend(until);
                        }
                        else
                        {
                            await LoseAsync(id, claim).ConfigureAwait(false);   // another processor holds it now
                        }
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // tried again next tick; a lease that runs out meanwhile cancels its handler by its own timer
                    Log.BackgroundPassFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task LoseAsync(long id, Held claim)
    {
        if (claim.Lost)
        {
            return;
        }

        claim.Lost = true;
        Log.LeaseLost(_logger, id);
        try
        {
            await claim.Cancel.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // released meanwhile: its outcome was written or refused by the fence
        }
        catch (Exception e)
        {
            Log.BackgroundPassFailed(_logger, e);   // a cancellation callback of its handler threw
        }
    }

    /// <summary>
    /// One claim kept alive: cancelled when the host stops, when it is lost, or when its lease runs out before a renewal
    /// moved it on (a renewal that hangs, PostgreSQL blackholed, must not let the handler run past the lease: another
    /// instance may be running the message by then).
    /// </summary>
    private sealed class Held : IDisposable
    {
        private readonly CancellationTokenSource _expiry;
        private readonly TimeProvider _time;

        public Held(Guid token, DateTimeOffset until, TimeProvider time, Action onExpired, CancellationToken stopping)
        {
            Token = token;
            _time = time;
            _expiry = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
            _expiry.Token.Register(() =>
            {
                Lost = true;
                onExpired();
            });
            Cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping, _expiry.Token);
            Extend(until);
        }

        public Guid Token { get; }

        public CancellationTokenSource Cancel { get; }

        public volatile bool Lost;

        /// <summary>Moves the lease's end (and the expiry that cancels the handler) to <paramref name="until"/>.</summary>
        public void Extend(DateTimeOffset until)
        {
            var left = until - _time.GetUtcNow();
            try
            {
                _expiry.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }
            catch (ObjectDisposedException)
            {
                // released meanwhile
            }
        }

        public void Dispose()
        {
            Cancel.Dispose();
            _expiry.Dispose();
        }
    }
}
