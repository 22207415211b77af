namespace Commerce.Analytics;

/// <summary>
/// A partial refund of an order (the storefront's <c>orders.refunded</c> event): booked as returns on the day it
/// happened, in the shop's time zone, and never changing a past period. Idempotent by <see cref="RefundId"/>: the
/// first refund recorded under an id is the one kept.
/// </summary>
public sealed record OrderRefund
{
    /// <summary>The shop.</summary>
    public required string ShopId { get; init; }

    /// <summary>The order refunded.</summary>
    public required string OrderId { get; init; }

    /// <summary>The storefront's id of the refund (1-100 characters), its idempotency key within the order.</summary>
    public required string RefundId { get; init; }

    /// <summary>When the money went back: decides the refund's day.</summary>
    public required DateTimeOffset RefundedAt { get; init; }

    /// <summary>The goods refunded; their units give their cost at the time of sale back on the refund day.</summary>
    public IReadOnlyList<RefundLine> Lines { get; init; } = [];

    /// <summary>Shipping refunded (0 or more), reported as negative shipping on the refund day.</summary>
    public decimal Shipping { get; init; }
}
