namespace Commerce.Analytics.Internal;

/// <summary>
/// What an order event proves about payment and refund (migration 0006): a paid, shipped, completed or refunded
/// status shows the order was paid, for good; a cancelled or refunded one dates its full refund (the earliest such
/// event is the refund's day). Evidence counts whatever the order the events arrive in, even from an older version.
/// </summary>
internal static class Payment
{
    public static bool Proves(OrderStatus status) => SalesStatuses.Counts(status) || status == OrderStatus.Refunded;

    /// <summary>The event's time when its status is a full refund (cancelled or refunded), else null.</summary>
    public static DateTimeOffset? RefundAt(OrderStatus status, DateTimeOffset at) =>
        status is OrderStatus.Cancelled or OrderStatus.Refunded ? at.ToUniversalTime() : null;

    /// <summary>Whether the evidence changes what is stored: paid for the first time, or refunded earlier than known.</summary>
    public static bool Changes(bool storedPaid, DateTimeOffset? storedRefundAt, bool proves, DateTimeOffset? refundAt) =>
        (proves && !storedPaid) || (refundAt is { } at && (storedRefundAt is not { } known || at < known));

    public static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
