using System.Collections.Concurrent;
using Commerce.FlashSale;
using Commerce.Notifications;

namespace Commerce.SampleHost;

/// <summary>
/// A sale's live room, <c>flash_sale:{id}</c>, so a storefront shows live stock and the countdown without polling:
/// every lifecycle transition (started, ended, cancelled, sold out, units back) is published as <c>flash_sale_lifecycle</c>
/// at once, and reservation changes as a <c>flash_sale_stock</c> snapshot (status, window, available per item), at most
/// one per sale per <see cref="StockInterval"/> however busy the sale is. Both come from the journal, once per change
/// across instances. A sale with a waiting room also streams <c>flash_sale_queue</c> (admitted so far, queue length; a
/// waiting client's position is its rank minus the admitted count), at most one per <see cref="StockInterval"/> per
/// instance, from the joins and re-asks that instance answers; sold out reaches every waiting client as the lifecycle
/// event.
/// </summary>
public sealed class FlashSaleRooms(INotificationService notifications, IServiceProvider services, ILogger<FlashSaleRooms> logger)
    : IFlashSaleLifecycleSubscriber, IFlashSaleEventSubscriber
{
    public const string Prefix = "flash_sale:";

    /// <summary>The longest a stock snapshot lags the last change it reflects.</summary>
    public static readonly TimeSpan StockInterval = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<Guid, byte> _scheduled = new();
    private readonly ConcurrentDictionary<Guid, QueueTicket> _queues = new();

    public static string Room(Guid saleId) => Prefix + saleId.ToString("D");

    public async ValueTask HandleAsync(FlashSaleLifecycleEvent lifecycleEvent, CancellationToken cancellationToken)
    {
        await notifications.PublishRoomEventAsync(Room(lifecycleEvent.SaleId), "flash_sale_lifecycle", new
        {
            saleId = lifecycleEvent.SaleId,
            kind = lifecycleEvent.Kind.ToString(),
            productId = lifecycleEvent.ProductId,
            available = lifecycleEvent.Available,
            occurredAt = lifecycleEvent.OccurredAt,
        }, cancellationToken);
        ScheduleStock(lifecycleEvent.SaleId);
    }

    public ValueTask HandleAsync(FlashSaleEvent saleEvent, CancellationToken cancellationToken)
    {
        ScheduleStock(saleEvent.SaleId);
        return ValueTask.CompletedTask;
    }

    /// <summary>A join or re-ask answered here: publishes the queue's state soon (the latest one seen by then).</summary>
    public void QueueChanged(Guid saleId, QueueTicket ticket)
    {
        var first = true;
        _queues.AddOrUpdate(saleId, ticket, (_, _) =>
        {
            first = false;
            return ticket;
        });
        if (!first)
        {
            return; // a publication is on its way and will carry the latest state
        }

        _ = Task.Run(async () =>
        {
            await Task.Delay(StockInterval);
            if (!_queues.TryRemove(saleId, out var latest))
            {
                return;
            }

            try
            {
                await notifications.PublishRoomEventAsync(Room(saleId), "flash_sale_queue", new
                {
                    saleId,
                    admittedThrough = latest.AdmittedThrough,
                    queueLength = latest.QueueLength,
                    soldOut = latest.Outcome == QueueOutcome.SoldOut,
                });
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogDebug(e, "Queue update of sale {SaleId} skipped", saleId);
            }
        });
    }

    private void ScheduleStock(Guid saleId)
    {
        if (!_scheduled.TryAdd(saleId, 0))
        {
            return; // a snapshot is already on its way and will include this change
        }

        _ = Task.Run(async () =>
        {
            await Task.Delay(StockInterval);
            _scheduled.TryRemove(saleId, out _);
            try
            {
                var sale = await services.GetRequiredService<IFlashSaleService>().GetSaleAsync(saleId);
                if (sale is not null)
                {
                    await notifications.PublishRoomEventAsync(Room(saleId), "flash_sale_stock", new
                    {
                        saleId,
                        status = sale.Status.ToString(),
                        sale.StartsAt,
                        sale.EndsAt,
                        sale.AsOf,
                        items = sale.Items.Select(i => new { i.ProductId, i.Stock, i.Available }),
                    });
                }
            }
            catch (Exception e) when (e is FlashSaleUnavailableException or InvalidOperationException)
            {
                logger.LogDebug(e, "Stock snapshot of sale {SaleId} skipped", saleId);
            }
        });
    }
}
