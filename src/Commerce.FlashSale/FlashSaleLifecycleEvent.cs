namespace Commerce.FlashSale;

/// <summary>
/// A sale's lifecycle transition, delivered to every <see cref="IFlashSaleLifecycleSubscriber"/> after the journal entry
/// that records it reached PostgreSQL. Each transition is recorded once, across instances, by the Redis script that
/// causes it (by Redis' clock for start and end); delivery is at least once: use (<see cref="SaleId"/>,
/// <see cref="Sequence"/>) to ignore a repeat.
/// </summary>
public sealed record FlashSaleLifecycleEvent
{
    /// <summary>What happened.</summary>
    public required FlashSaleLifecycleKind Kind { get; init; }

    /// <summary>The sale.</summary>
    public required Guid SaleId { get; init; }

    /// <summary>The shop running the sale.</summary>
    public required string ShopId { get; init; }

    /// <summary>The item, for <see cref="FlashSaleLifecycleKind.SoldOut"/> and <see cref="FlashSaleLifecycleKind.UnitsAvailable"/>.</summary>
    public string? ProductId { get; init; }

    /// <summary>Units available right after the transition (0 when sold out).</summary>
    public int Available { get; init; }

    /// <summary>The sale's sequence number of the transition: unique per sale, increasing.</summary>
    public required long Sequence { get; init; }

    /// <summary>When it happened, by the sale clock.</summary>
    public required DateTimeOffset OccurredAt { get; init; }
}
