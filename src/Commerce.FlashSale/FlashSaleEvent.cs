namespace Commerce.FlashSale;

/// <summary>
/// A reservation's state change, delivered to every <see cref="IFlashSaleEventSubscriber"/> after it is persisted to
/// PostgreSQL. Delivery is at least once: use (<see cref="SaleId"/>, <see cref="ReservationId"/>,
/// <see cref="Version"/>) to ignore a repeat.
/// </summary>
public sealed record FlashSaleEvent
{
    /// <summary>The new state: reserved, confirmed, released or expired.</summary>
    public required ReservationState State { get; init; }

    /// <summary>The sale.</summary>
    public required Guid SaleId { get; init; }

    /// <summary>The shop running the sale.</summary>
    public required string ShopId { get; init; }

    /// <summary>The reservation.</summary>
    public required string ReservationId { get; init; }

    /// <summary>The reservation's version after the change.</summary>
    public required int Version { get; init; }

    /// <summary>The user holding it.</summary>
    public required string UserId { get; init; }

    /// <summary>The product.</summary>
    public required string ProductId { get; init; }

    /// <summary>Units.</summary>
    public required int Quantity { get; init; }

    /// <summary>When the hold expires (or expired).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>When the change happened, by the sale clock.</summary>
    public required DateTimeOffset OccurredAt { get; init; }
}
