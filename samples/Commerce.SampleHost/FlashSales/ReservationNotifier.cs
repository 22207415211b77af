using Commerce.FlashSale;
using Commerce.Notifications;

namespace Commerce.SampleHost;

/// <summary>Flash-sale reservation outcomes become the shopper's notifications.</summary>
public sealed class ReservationNotifier(INotificationService notifications) : IFlashSaleEventSubscriber
{
    public async ValueTask HandleAsync(FlashSaleEvent saleEvent, CancellationToken cancellationToken)
    {
        var title = saleEvent.State switch
        {
            ReservationState.Reserved => $"Reserved {saleEvent.Quantity} × {saleEvent.ProductId}: pay before {saleEvent.ExpiresAt:HH:mm} UTC",
            ReservationState.Confirmed => $"Your flash-sale order of {saleEvent.Quantity} × {saleEvent.ProductId} is confirmed",
            ReservationState.Released => $"Your reservation of {saleEvent.ProductId} was released",
            _ => $"Your reservation of {saleEvent.ProductId} expired",
        };
        await notifications.CreateAsync(new NotificationRequest
        {
            RecipientId = saleEvent.UserId,
            Type = "reservation_" + saleEvent.State.ToString().ToLowerInvariant(),
            Title = title,
            Data = System.Text.Json.JsonSerializer.SerializeToElement(new { saleId = saleEvent.SaleId, reservationId = saleEvent.ReservationId, saleEvent.ProductId, saleEvent.Quantity }),
        }, cancellationToken);
    }
}
