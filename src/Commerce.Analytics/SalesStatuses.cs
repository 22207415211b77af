namespace Commerce.Analytics;

/// <summary>
/// The one place that says which order statuses are sales: <see cref="OrderStatus.Paid"/>,
/// <see cref="OrderStatus.Shipped"/> and <see cref="OrderStatus.Completed"/>. A pending order is not a sale yet. An
/// order that was in one of them (or <see cref="OrderStatus.Refunded"/>) was paid and stays a sale on its day; moving to
/// cancelled or refunded later books a full refund on that event's day, never changing the past.
/// </summary>
public static class SalesStatuses
{
    /// <summary>The statuses that count as sales.</summary>
    public static IReadOnlySet<OrderStatus> Counted { get; } = new HashSet<OrderStatus> { OrderStatus.Paid, OrderStatus.Shipped, OrderStatus.Completed };

    /// <summary>True when an order in <paramref name="status"/> is a sale.</summary>
    /// <param name="status">The status.</param>
    /// <returns>Whether it counts.</returns>
    public static bool Counts(OrderStatus status) => Counted.Contains(status);
}
