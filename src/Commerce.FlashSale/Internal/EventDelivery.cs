using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// Delivers a drained batch's events, in journal order: reservation changes to every <see cref="IFlashSaleEventSubscriber"/>,
/// lifecycle transitions to every <see cref="IFlashSaleLifecycleSubscriber"/>. A subscriber that throws, or does not
/// return within <see cref="FlashSaleOptions.EventDeliveryTimeout"/>, fails the batch (it is delivered again later), so a
/// hung subscriber delays only its own sale, and never forever.
/// </summary>
internal sealed class EventDelivery(
    IEnumerable<IFlashSaleEventSubscriber> reservationSubscribers,
    IEnumerable<IFlashSaleLifecycleSubscriber> lifecycleSubscribers,
    PostgresSaleStore sales,
    FlashSaleOptions options,
    ILogger logger)
{
    private readonly IFlashSaleEventSubscriber[] _reservations = reservationSubscribers.ToArray();
    private readonly IFlashSaleLifecycleSubscriber[] _lifecycle = lifecycleSubscribers.ToArray();
    private readonly ConcurrentDictionary<Guid, string> _shops = new();

    /// <summary>False when a subscriber failed or timed out; the caller keeps the entries to deliver them again.</summary>
    public async Task<bool> DeliverAsync(Guid saleId, IReadOnlyList<JournalEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0 || (_reservations.Length == 0 && _lifecycle.Length == 0))
        {
            return true;
        }

        if (!_shops.TryGetValue(saleId, out var shop))
        {
            shop = await sales.GetShopIdAsync(saleId, cancellationToken).ConfigureAwait(false) ?? "";
            _shops[saleId] = shop;
        }

        try
        {
            foreach (var entry in entries)
            {
                switch (entry)
                {
                    case ReservationChange change when _reservations.Length > 0:
                        var saleEvent = new FlashSaleEvent
                        {
                            State = change.State,
                            SaleId = saleId,
                            ShopId = shop,
                            ReservationId = change.ReservationId,
                            Version = change.Version,
                            UserId = change.UserId,
                            ProductId = change.ProductId,
                            Quantity = change.Quantity,
                            ExpiresAt = change.ExpiresAt,
                            OccurredAt = change.OccurredAt,
                        };
                        foreach (var subscriber in _reservations)
                        {
                            await CallAsync(ct => subscriber.HandleAsync(saleEvent, ct), cancellationToken).ConfigureAwait(false);
                        }

                        break;
                    case LifecycleChange lifecycle when _lifecycle.Length > 0:
                        var lifecycleEvent = new FlashSaleLifecycleEvent
                        {
                            Kind = lifecycle.Kind,
                            SaleId = saleId,
                            ShopId = shop,
                            ProductId = lifecycle.ProductId,
                            Available = lifecycle.Available,
                            Sequence = lifecycle.Seq,
                            OccurredAt = lifecycle.OccurredAt,
                        };
                        foreach (var subscriber in _lifecycle)
                        {
                            await CallAsync(ct => subscriber.HandleAsync(lifecycleEvent, ct), cancellationToken).ConfigureAwait(false);
                        }

                        break;
                }
            }

            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Log.EventSubscriberFailed(logger, saleId, e);
            return false;
        }
    }

    private async Task CallAsync(Func<CancellationToken, ValueTask> call, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.EventDeliveryTimeout);
        // WaitAsync: a subscriber that ignores its token still lets the drain go on after the timeout.
        await call(timeout.Token).AsTask().WaitAsync(options.EventDeliveryTimeout, cancellationToken).ConfigureAwait(false);
    }
}
