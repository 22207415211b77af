namespace Commerce.Analytics;

/// <summary>A product in stock whose expiry date is near.</summary>
/// <param name="ProductId">The product.</param>
/// <param name="Name">Its name.</param>
/// <param name="Stock">Units in stock.</param>
/// <param name="ExpiresAt">When it expires.</param>
/// <param name="DaysToExpiry">Whole days left (negative once expired).</param>
public sealed record ExpiringProduct(string ProductId, string Name, int Stock, DateTimeOffset ExpiresAt, int DaysToExpiry);
