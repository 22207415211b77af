using System.Text.Json;
using Commerce.Analytics;
using Commerce.FlashSale;
using Commerce.Notifications;

namespace Commerce.SampleHost;

/// <summary>
/// What a <c>payments.succeeded</c> webhook does (the seed's checkout). The payment confirms its flash-sale reservation
/// and the first payment of a reservation books it as an order of platform <c>flash-sale</c> (id <c>fs-{reservationId}</c>),
/// so flash-sale revenue is in the reports; the shopper is told, by e-mail too when the payload names an address and
/// SMTP is configured. Every step is idempotent, so a payment sent again (even under another webhook id) changes nothing.
/// A payment that can't buy anything (its reservation expired or was released, or another payment booked it) never
/// confirms or changes an order: it is recorded in <see cref="PaymentLedger"/> for a refund, the shopper is told once,
/// and the seller's dashboard gets <c>payment_unmatched</c>.
/// </summary>
public sealed class PaymentCheckout(
    IFlashSaleService flashSales, IAnalyticsIngestion analytics, INotificationService notifications, PaymentLedger ledger,
    IEnumerable<INotificationChannel> channels, ILogger<PaymentCheckout> logger)
{
    private readonly bool _email = channels.Any(c => c.Name == "email");

    /// <summary>Handles one payment; returns the room event for the shop's dashboard and its detail.</summary>
    public async Task<(string RoomEvent, object Detail)> HandleAsync(PaymentPayload p, CancellationToken ct)
    {
        var result = await flashSales.ConfirmAsync(p.SaleId, p.ReservationId, p.UserId, ct);
        if (result.Outcome == ReservationOutcome.Recovering)
        {
            throw new InvalidOperationException($"Flash sale {p.SaleId} is recovering; the payment {p.PaymentId} is retried.");   // retried later
        }

        if (result.Outcome is not (ReservationOutcome.Confirmed or ReservationOutcome.AlreadyConfirmed) || result.Reservation is not { } r)
        {
            return await UnmatchedAsync(p, result.Outcome.ToString().ToLowerInvariant(), "arrived after the reservation ended", ct);
        }

        if (await ledger.BookAsync(p, ct) is { } booking && booking != p.PaymentId)
        {
            return await UnmatchedAsync(p, "duplicate", $"is a second payment for a reservation paid by {booking}", ct);
        }

        var outcome = await analytics.UpsertOrderAsync(new OrderSnapshot
        {
            ShopId = p.ShopId, OrderId = $"fs-{r.Id}", Platform = "flash-sale", Status = OrderStatus.Paid, Currency = p.Currency,
            CreatedAt = p.PaidAt, UpdatedAt = p.PaidAt,
            Lines = [new OrderLine(r.ProductId, r.Quantity, Math.Round(p.Amount / r.Quantity, 4), p.UnitCost ?? 0m)],
        }, ct);
        await notifications.CreateAsync(new NotificationRequest
        {
            RecipientId = p.UserId,
            Type = "order_confirmed",
            Title = $"Order fs-{r.Id} confirmed",
            Body = $"Thank you. Your order fs-{r.Id} is confirmed: {r.Quantity} x {r.ProductId}, {p.Amount:0.00} {p.Currency}, paid with payment {p.PaymentId}.",
            Data = JsonSerializer.SerializeToElement(new { orderId = $"fs-{r.Id}", p.PaymentId, p.SaleId, p.ReservationId, r.ProductId, r.Quantity, p.Amount, p.Currency }, StorefrontProjection.Json),
            Channels = _email && !string.IsNullOrWhiteSpace(p.Email) ? new Dictionary<string, string> { ["email"] = p.Email } : null,
            IdempotencyKey = $"payment-{p.PaymentId}-confirmed",
        }, ct);
        return ("dashboard_update", new { p.PaymentId, p.ReservationId, confirmed = true, outcome });
    }

    private async Task<(string, object)> UnmatchedAsync(PaymentPayload p, string state, string why, CancellationToken ct)
    {
        logger.LogWarning("Payment {PaymentId} for reservation {ReservationId} of sale {SaleId} bought nothing: {Outcome}", p.PaymentId, p.ReservationId, p.SaleId, state);
        await ledger.RecordAsync(p, state, ct);
        await notifications.CreateAsync(new NotificationRequest
        {
            RecipientId = p.UserId,
            Type = state == "duplicate" ? "payment_duplicate" : "payment_unmatched",
            Title = $"Your payment {p.PaymentId} {why} ({state}); it will be refunded",
            Data = JsonSerializer.SerializeToElement(new { p.PaymentId, p.SaleId, p.ReservationId, p.Amount, p.Currency, outcome = state }, StorefrontProjection.Json),
            IdempotencyKey = $"payment-{p.PaymentId}-unmatched",
        }, ct);
        return ("payment_unmatched", new { p.PaymentId, p.ReservationId, confirmed = false, outcome = state });
    }
}
