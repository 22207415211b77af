namespace Commerce.Analytics.Internal;

/// <summary>
/// What an order event proves about payment and refund (migration 0006): a paid, shipped, completed or refunded
/// status shows the order was paid, for good; a cancelled or refunded one is a refund time, any other an active time,
/// and a full refund happened at the earliest refund time not older than the latest active time. Evidence counts
/// whatever the order the events arrive in, even from an older version. Times are kept to the microsecond, as
/// PostgreSQL stores them.
/// </summary>
internal static class Payment
{
    public static bool Proves(OrderStatus status) => SalesStatuses.Counts(status) || status == OrderStatus.Refunded;

    /// <summary>The event's time when its status is a full refund (cancelled or refunded), else null.</summary>
    public static DateTimeOffset? RefundAt(OrderStatus status, DateTimeOffset at) => IsRefund(status) ? Micro(at) : null;

    /// <summary>The event's time when its status is not a refund (pending, paid, shipped, completed), else null.</summary>
    public static DateTimeOffset? ActiveAt(OrderStatus status, DateTimeOffset at) => IsRefund(status) ? null : Micro(at);

    /// <summary>Whether the evidence changes what is stored: paid for the first time, a later active time, a new refund time.</summary>
    public static bool Changes(StoredOrder stored, bool proves, DateTimeOffset? activeAt, DateTimeOffset? refundAt) =>
        (proves && !stored.Counted)
        || (activeAt is { } active && (stored.ActiveAt is not { } known || active > known))
        || (refundAt is { } refund && !stored.RefundTimes.Contains(refund));

    private static bool IsRefund(OrderStatus status) => status is OrderStatus.Cancelled or OrderStatus.Refunded;

    private static DateTimeOffset Micro(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);
}
