namespace Commerce.Analytics;

/// <summary>
/// The one place that says which order statuses count as sales: <see cref="OrderStatus.Paid"/>,
/// <see cref="OrderStatus.Shipped"/> and <see cref="OrderStatus.Completed"/>. A pending order is not a sale yet; a
/// cancelled or refunded one no longer is: when an order moves out of these statuses its contribution is subtracted
/// from every report, and added back if it moves in again.
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
