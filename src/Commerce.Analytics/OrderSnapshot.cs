namespace Commerce.Analytics;

/// <summary>An order as the storefront describes it at <see cref="UpdatedAt"/> (created or updated event).</summary>
public sealed record OrderSnapshot
{
    /// <summary>The shop.</summary>
    public required string ShopId { get; init; }

    /// <summary>The order.</summary>
    public required string OrderId { get; init; }

    /// <summary>The sales channel (for example shopee, lazada, tiktok, web).</summary>
    public required string Platform { get; init; }

    /// <summary>Its status.</summary>
    public required OrderStatus Status { get; init; }

    /// <summary>Its currency (ISO 4217); reports are per currency.</summary>
    public required string Currency { get; init; }

    /// <summary>When it was placed: decides its day, week and month in the shop's time zone.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The version: an event older than what is stored changes nothing.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Its lines.</summary>
    public required IReadOnlyList<OrderLine> Lines { get; init; }

    /// <summary>The order-level discount (0 to its gross sales, price x quantity of the lines): net sales are gross sales minus discounts.</summary>
    public decimal Discount { get; init; }

    /// <summary>What the shopper paid for shipping (reported as shipping, not as sales).</summary>
    public decimal Shipping { get; init; }

    /// <summary>The tax charged (reported as taxes, not as sales).</summary>
    public decimal Tax { get; init; }

    /// <summary>What the sales platform charged the seller for the order (commission, payment fee): gross profit is net sales minus cost of goods minus platform fees.</summary>
    public decimal PlatformFee { get; init; }
}
