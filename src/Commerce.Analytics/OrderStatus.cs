namespace Commerce.Analytics;

/// <summary>The status of an order. Which statuses count as sales is decided by <see cref="SalesStatuses"/>.</summary>
public enum OrderStatus
{
    /// <summary>Placed, not paid.</summary>
    Pending,

    /// <summary>Paid.</summary>
    Paid,

    /// <summary>Shipped.</summary>
    Shipped,

    /// <summary>Delivered and closed.</summary>
    Completed,

    /// <summary>Cancelled before fulfilment.</summary>
    Cancelled,

    /// <summary>Paid, then refunded.</summary>
    Refunded,
}
