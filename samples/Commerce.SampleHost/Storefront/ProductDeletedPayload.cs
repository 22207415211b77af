namespace Commerce.SampleHost;

/// <summary><c>data</c> of <c>products.deleted</c>.</summary>
public sealed record ProductDeletedPayload(string ShopId, string ProductId, DateTimeOffset UpdatedAt);
