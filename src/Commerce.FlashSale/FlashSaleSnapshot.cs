namespace Commerce.FlashSale;

/// <summary>A sale as it is now.</summary>
public sealed record FlashSaleSnapshot
{
    /// <summary>The sale's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>The shop running it.</summary>
    public required string ShopId { get; init; }

    /// <summary>Its display name.</summary>
    public required string Name { get; init; }

    /// <summary>When reservations open.</summary>
    public required DateTimeOffset StartsAt { get; init; }

    /// <summary>When reservations close.</summary>
    public required DateTimeOffset EndsAt { get; init; }

    /// <summary>Its status by the sale clock at <see cref="AsOf"/>.</summary>
    public required FlashSaleStatus Status { get; init; }

    /// <summary>The sale clock's time when this was read.</summary>
    public required DateTimeOffset AsOf { get; init; }

    /// <summary>Availability per product.</summary>
    public required IReadOnlyList<FlashSaleItem> Items { get; init; }
}
