namespace Commerce.Analytics;

/// <summary>A product as the storefront describes it at <see cref="UpdatedAt"/> (created or updated event).</summary>
public sealed record ProductSnapshot
{
    /// <summary>The shop.</summary>
    public required string ShopId { get; init; }

    /// <summary>The product.</summary>
    public required string ProductId { get; init; }

    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>Its SKU.</summary>
    public string? Sku { get; init; }

    /// <summary>Its category.</summary>
    public string? Category { get; init; }

    /// <summary>Its list price.</summary>
    public decimal Price { get; init; }

    /// <summary>Its current unit cost.</summary>
    public decimal Cost { get; init; }

    /// <summary>The currency of price and cost (ISO 4217).</summary>
    public string? Currency { get; init; }

    /// <summary>Units in stock.</summary>
    public int Stock { get; init; }

    /// <summary>When the stock expires (perishables), if it does.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Days a reorder takes to arrive; null uses <see cref="AnalyticsOptions.DefaultLeadTimeDays"/>.</summary>
    public int? LeadTimeDays { get; init; }

    /// <summary>The version: an event older than what is stored changes nothing.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }
}
