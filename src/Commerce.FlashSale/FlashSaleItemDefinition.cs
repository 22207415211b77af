namespace Commerce.FlashSale;

/// <summary>One product offered in a sale.</summary>
/// <param name="ProductId">The product (1-100 characters, no '|').</param>
/// <param name="Stock">Units for sale (0 or more).</param>
/// <param name="Price">The sale price (0 or more).</param>
/// <param name="PerUserLimit">Most units one user may hold (reserved plus confirmed), at least 1.</param>
public sealed record FlashSaleItemDefinition(string ProductId, int Stock, decimal Price, int PerUserLimit);
