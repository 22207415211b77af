namespace Commerce.SampleHost;

/// <summary>
/// <c>data</c> of <c>payments.succeeded</c>: the shopper paid for a flash-sale reservation. Idempotent by
/// <see cref="PaymentId"/>. <see cref="UnitCost"/> (optional) is the cost of one unit at the time of sale, for profit;
/// <see cref="Email"/> (optional) is where the order confirmation goes when the host has SMTP configured.
/// </summary>
public sealed record PaymentPayload(
    string ShopId, Guid SaleId, string ReservationId, string UserId, string PaymentId, decimal Amount, string Currency,
    DateTimeOffset PaidAt, decimal? UnitCost = null, string? Email = null);
