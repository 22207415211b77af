namespace Commerce.SampleHost;

/// <summary><c>data</c> of <c>orders.refunded</c>: a partial refund, idempotent by <paramref name="RefundId"/>.</summary>
public sealed record OrderRefundPayload(string ShopId, string OrderId, string RefundId, DateTimeOffset RefundedAt, IReadOnlyList<RefundLinePayload> Lines, decimal? Shipping);
