using System.ComponentModel;

namespace Commerce.Analytics;

/// <summary>SmartShelf: inventory health of a shop on a local day.</summary>
/// <param name="ShopId">The shop.</param>
/// <param name="AsOf">The local day the figures are for.</param>
/// <param name="Products">Products in the catalogue (not deleted).</param>
/// <param name="InventoryValue">Stock at current unit cost, of the products in the shop's currency (all currencies: <see cref="InventoryValueByCurrency"/>).</param>
/// <param name="AtRisk">Products out of stock (first, fastest sellers first), then products at or below their reorder point, fewest days of cover first.</param>
/// <param name="DeadStock">Products in stock without a sale for <see cref="AnalyticsOptions.DeadStockDays"/>, most stock value first.</param>
/// <param name="Expiring">Products expiring within <see cref="AnalyticsOptions.ExpiryWarningDays"/>, soonest first.</param>
[ImmutableObject(true)]
public sealed record InventoryInsights(
    string ShopId,
    DateOnly AsOf,
    int Products,
    decimal InventoryValue,
    IReadOnlyList<AtRiskProduct> AtRisk,
    IReadOnlyList<DeadStockProduct> DeadStock,
    IReadOnlyList<ExpiringProduct> Expiring)
{
    /// <summary>Stock at current unit cost per currency (a product without one is in the shop's).</summary>
    public IReadOnlyDictionary<string, decimal> InventoryValueByCurrency { get; init; } = new Dictionary<string, decimal>();
}
