using Microsoft.Extensions.Options;

namespace Commerce.Webhooks.Internal;

/// <summary>
/// Feeds claimed inbox messages to <see cref="WebhooksOptions.ProcessingConcurrency"/> slots. It claims only what the
/// free slots can start now (one message per slot, or a batch per slot when batch handlers are registered), so no
/// claimed message waits behind others while its lease runs; the <see cref="InboxLeaseKeeper"/> keeps leases alive
/// while handlers run. A batch handler registered with a <c>maxConcurrency</c> runs at most that many batches at once:
/// while it does, its messages are left in the inbox (a claim that took more of them than it may run gives them back
/// at once, uncounted), and a finished batch wakes the processor (<see cref="Finished"/>).
/// Shared by the background processor and <see cref="IWebhookInbox.ProcessDueAsync"/>.
/// </summary>
internal sealed class InboxPump(InboxStore store, InboxProcessor processor, InboxLeaseKeeper leases, HandlerRegistry handlers, IOptions<WebhooksOptions> options, TimeProvider time) : IDisposable
{
    private readonly WebhooksOptions _options = options.Value;
    private readonly SemaphoreSlim _slots = new(options.Value.ProcessingConcurrency, options.Value.ProcessingConcurrency);
    private readonly Dictionary<BatchHandlerRegistration, SemaphoreSlim> _limits =
        handlers.Limited.ToDictionary<BatchHandlerRegistration, BatchHandlerRegistration, SemaphoreSlim>(
            b => b, b => new SemaphoreSlim(b.MaxConcurrency!.Value, b.MaxConcurrency.Value), ReferenceEqualityComparer.Instance);   // two equal registrations are two handlers

    /// <summary>Whether some limited batch handler runs all the batches it may.</summary>
    public bool AnyLimitReached => _limits.Values.Any(l => l.CurrentCount == 0);

    /// <summary>Released whenever a batch of a limited batch handler finishes, so its waiting messages are claimed at once.</summary>
    public SemaphoreSlim Finished { get; } = new(0);

    /// <summary>Waits until at least one slot is free.</summary>
    public async Task WaitForSlotAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        _slots.Release();
    }

    /// <summary>
    /// Claims what the free slots can take and starts it; returns how many messages were claimed (parked ones
    /// included), the task of the started work, and whether the claim got fewer than it asked for (nothing else was
    /// due then, so another claim before the next wake-up would find nothing but a busy handler's backlog).
    /// </summary>
    public async Task<(int Claimed, Task Running, bool Drained)> ClaimAndStartAsync(CancellationToken stopping)
    {
        var free = _slots.CurrentCount;
        if (free == 0)
        {
            return (0, Task.CompletedTask, false);
        }

        var limit = Math.Min(free * handlers.RowsPerSlot, Math.Max(_options.InboxBatchSize, free));
        var busy = _limits.Where(l => l.Value.CurrentCount == 0).Select(l => l.Key).ToList();
        var leaseUntil = leases.LeaseUntil();
        var (claimed, parked) = await store.ClaimAsync(time.GetUtcNow(), leaseUntil, Guid.NewGuid(), limit, free, _options.MaxAttempts, handlers.Batched, busy, stopping).ConfigureAwait(false);
        processor.ReportParked(parked);
        if (claimed.Count == 0)
        {
            return (parked.Count, Task.CompletedTask, parked.Count < limit);
        }

        // Each piece of work starts now, or goes straight back to the inbox, uncounted, for a later claim or another
        // instance: beyond the free slots (a claim sized for batches got single messages, each a slot's work), or a
        // limited handler's batch beyond its free turns.
        var start = new List<(InboxWork Work, List<SemaphoreSlim> Limits)>();
        var giveBack = new List<InboxRow>();
        foreach (var work in processor.Plan(claimed).OrderBy(w => w.Rows.Min(r => r.Id)))   // the oldest work first: no kind starves
        {
            var limits = work.Batches.Where(_limits.ContainsKey).Select(b => _limits[b]).ToList();
            if (start.Count < free && TakeAll(limits))   // taken now, so the next claim already sees them busy
            {
                start.Add((work, limits));
            }
            else
            {
                giveBack.AddRange(work.Rows);
            }
        }

        if (giveBack.Count > 0)
        {
            await store.ReleaseAsync(giveBack.Select(r => r.Id).ToList(), giveBack[0].ClaimToken, uncount: true, CancellationToken.None).ConfigureAwait(false);
        }

        leases.Hold(start.SelectMany(s => s.Work.Rows), leaseUntil, stopping);
        var running = new List<Task>();
        foreach (var (work, limits) in start)
        {
            await _slots.WaitAsync(CancellationToken.None).ConfigureAwait(false); // the claim sized itself to the free slots
            running.Add(Task.Run(async () =>
            {
                try
                {
                    await processor.RunAsync(work, stopping).ConfigureAwait(false);
                }
                finally
                {
                    limits.ForEach(l => l.Release());
                    _slots.Release();
                    if (limits.Count > 0 && Finished.CurrentCount == 0)
                    {
                        Finished.Release();   // one pending wake-up is enough; more would only cause empty claims
                    }
                }
            }, CancellationToken.None));
        }

        var taken = claimed.Count - giveBack.Count;
        // Drained: fewer came than asked for, and not because single messages stopped at the free slots (more may be due).
        var singles = claimed.Count(r => handlers.BatchesFor(r.Source, r.Type).Count == 0);
        return (taken + parked.Count, Task.WhenAll(running), claimed.Count + parked.Count < limit && singles < free);
    }

    private static bool TakeAll(List<SemaphoreSlim> limits)
    {
        for (var i = 0; i < limits.Count; i++)
        {
            if (!limits[i].Wait(0))
            {
                limits.Take(i).ToList().ForEach(l => l.Release());
                return false;
            }
        }

        return true;
    }

    public void Dispose()
    {
        _slots.Dispose();
        Finished.Dispose();
        foreach (var limit in _limits.Values)
        {
            limit.Dispose();
        }
    }
}
