using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.Webhooks.Internal;

/// <summary>
/// Keeps the leases of the inbox messages this instance holds alive while their handlers run: every third of
/// <see cref="WebhooksOptions.ProcessingLease"/> it renews them all in one statement, each under its claim token. A
/// message PostgreSQL no longer gives this instance (its lease ran out, for example while PostgreSQL was unreachable,
/// and another instance claimed it) is cancelled here, so its handler is told to stop and its outcome is not written.
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

    /// <summary>Starts keeping the leases of rows just claimed (each under its claim token).</summary>
    public void Hold(IEnumerable<InboxRow> rows, CancellationToken stopping)
    {
        _ = _loop.Value;
        foreach (var row in rows)
        {
            _held[row.Id] = new Held(row.ClaimToken, CancellationTokenSource.CreateLinkedTokenSource(stopping));
        }
    }

    /// <summary>Cancelled when the host stops or the row's lease is lost.</summary>
    public CancellationToken TokenOf(long id) => _held.TryGetValue(id, out var held) ? held.Cancel.Token : new CancellationToken(canceled: true);

    /// <summary>True once PostgreSQL gave the row to another processor.</summary>
    public bool IsLost(long id) => !_held.TryGetValue(id, out var held) || held.Lost;

    /// <summary>Stops keeping a row's lease (its outcome is written, or it is given back).</summary>
    public void Release(long id)
    {
        if (_held.TryRemove(id, out var held))
        {
            held.Cancel.Dispose();
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
                var held = _held.Where(h => !h.Value.Lost).Select(h => (h.Key, h.Value.Token)).ToList();
                if (held.Count == 0)
                {
                    continue;
                }

                try
                {
                    var stillHeld = await _store.RenewAsync(held, LeaseUntil(), _stop.Token).ConfigureAwait(false);
                    foreach (var (id, _) in held)
                    {
                        if (!stillHeld.Contains(id) && _held.TryGetValue(id, out var lost))
                        {
                            lost.Lost = true;
                            Log.LeaseLost(_logger, id);
                            try
                            {
                                await lost.Cancel.CancelAsync().ConfigureAwait(false);
                            }
                            catch (ObjectDisposedException)
                            {
                                // released meanwhile: its outcome was written or refused by the fence
                            }
                        }
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.BackgroundPassFailed(_logger, e); // tried again next tick; the lease is a third of the way down
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private sealed class Held(Guid token, CancellationTokenSource cancel)
    {
        public Guid Token { get; } = token;

        public CancellationTokenSource Cancel { get; } = cancel;

        public volatile bool Lost;
    }
}
