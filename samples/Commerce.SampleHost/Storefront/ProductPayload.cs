namespace Commerce.SampleHost;

/// <summary><c>data</c> of <c>products.created</c> / <c>products.updated</c> (see docs/webhooks.md).</summary>
public sealed record ProductPayload(
    string ShopId, string ProductId, string Name, string? Sku, string? Category, decimal Price, decimal Cost,
    string? Currency, int Stock, DateTimeOffset? ExpiresAt, DateTimeOffset UpdatedAt, int? LeadTimeDays = null);
