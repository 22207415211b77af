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
}
