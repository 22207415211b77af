namespace Commerce.SampleHost;

/// <summary><c>data</c> of <c>inventory.updated</c>.</summary>
public sealed record InventoryPayload(string ShopId, string ProductId, int Stock, DateTimeOffset UpdatedAt);
