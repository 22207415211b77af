namespace Commerce.Analytics;

/// <summary>A line of an order, with the unit cost at the time of sale (so profit is exact even after costs change).</summary>
/// <param name="ProductId">The product.</param>
/// <param name="Quantity">Units.</param>
/// <param name="UnitPrice">Price per unit, in the order's currency.</param>
/// <param name="UnitCost">Cost per unit at the time of sale.</param>
public sealed record OrderLine(string ProductId, int Quantity, decimal UnitPrice, decimal UnitCost);
