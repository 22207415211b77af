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

    /// <summary>
    /// How many Redis Cluster slots the sale's stock is split over (1-16; 1, the default, keeps the whole sale in one slot).
    /// With K buckets each shopper is served by one of them (by a hash of the user id), so K primaries share a single hot
    /// item; units move between buckets when one runs dry, so "sold out" still means the item as a whole is. Fixed at
    /// creation. See the README's "One hot item across shards".
    /// </summary>
    public int Buckets { get; init; } = 1;

    /// <summary>
    /// The sale's waiting room, or null (the default) for none: with one, a reserve needs the admission token the
    /// shopper gets from <see cref="IFlashSaleService.JoinQueueAsync"/>. Fixed at creation.
    /// </summary>
    public FlashSaleWaitingRoom? WaitingRoom { get; init; }
}
