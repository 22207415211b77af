namespace Commerce.FlashSale;

/// <summary>What a sale is: used to create it, and to update it before it starts.</summary>
public sealed record FlashSaleDefinition
{
    /// <summary>The sale's id. Pass one to make creation idempotent; null creates a new id.</summary>
    public Guid? Id { get; init; }

    /// <summary>The shop running the sale.</summary>
    public required string ShopId { get; init; }

    /// <summary>A display name.</summary>
    public required string Name { get; init; }

    /// <summary>When reservations open.</summary>
    public required DateTimeOffset StartsAt { get; init; }

    /// <summary>When reservations close (after <see cref="StartsAt"/>).</summary>
    public required DateTimeOffset EndsAt { get; init; }

    /// <summary>The products on sale (at least one, distinct product ids).</summary>
    public required IReadOnlyList<FlashSaleItemDefinition> Items { get; init; }
}
