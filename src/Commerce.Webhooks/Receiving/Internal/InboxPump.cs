using Microsoft.Extensions.Options;

namespace Commerce.Webhooks.Internal;

/// <summary>
/// Feeds claimed inbox messages to <see cref="WebhooksOptions.ProcessingConcurrency"/> slots. It claims only what the
/// free slots can start now (one message per slot, or a batch per slot when batch handlers are registered), so no
/// claimed message waits behind others while its lease runs; the <see cref="InboxLeaseKeeper"/> keeps leases alive
/// while handlers run. Shared by the background processor and <see cref="IWebhookInbox.ProcessDueAsync"/>.
/// </summary>
internal sealed class InboxPump(InboxStore store, InboxProcessor processor, InboxLeaseKeeper leases, HandlerRegistry handlers, IOptions<WebhooksOptions> options, TimeProvider time) : IDisposable
{
    private readonly WebhooksOptions _options = options.Value;
    private readonly SemaphoreSlim _slots = new(options.Value.ProcessingConcurrency, options.Value.ProcessingConcurrency);

    /// <summary>Waits until at least one slot is free.</summary>
    public async Task WaitForSlotAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        _slots.Release();
    }

    /// <summary>
    /// Claims what the free slots can take and starts it; returns how many messages were claimed (parked ones
    /// included) and the task of the started work.
    /// </summary>
    public async Task<(int Claimed, Task Running)> ClaimAndStartAsync(CancellationToken stopping)
    {
        var free = _slots.CurrentCount;
        if (free == 0)
        {
            return (0, Task.CompletedTask);
        }

        var limit = Math.Min(free * handlers.RowsPerSlot, Math.Max(_options.InboxBatchSize, free));
        var (claimed, parked) = await store.ClaimAsync(time.GetUtcNow(), leases.LeaseUntil(), Guid.NewGuid(), limit, _options.MaxAttempts, stopping).ConfigureAwait(false);
        processor.ReportParked(parked);
        if (claimed.Count == 0)
        {
            return (parked.Count, Task.CompletedTask);
        }

        leases.Hold(claimed, stopping);
        var running = new List<Task>();
        foreach (var work in processor.Plan(claimed))
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
                    _slots.Release();
                }
            }, CancellationToken.None));
        }

        return (claimed.Count + parked.Count, Task.WhenAll(running));
    }

    public void Dispose() => _slots.Dispose();
}
