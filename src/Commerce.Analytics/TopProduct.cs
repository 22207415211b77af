namespace Commerce.Analytics;

/// <summary>A best-selling product.</summary>
/// <param name="ProductId">The product.</param>
/// <param name="Name">Its name, if known.</param>
/// <param name="Revenue">Revenue.</param>
/// <param name="Units">Units sold.</param>
public sealed record TopProduct(string ProductId, string? Name, decimal Revenue, int Units);
