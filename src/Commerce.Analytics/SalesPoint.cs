namespace Commerce.Analytics;

/// <summary>One bucket of a sales series; empty buckets are present with zeros.</summary>
/// <param name="Period">The bucket's first day.</param>
/// <param name="Revenue">Net sales of counted orders: price x quantity minus order discounts.</param>
/// <param name="Orders">Counted orders.</param>
/// <param name="Units">Units sold.</param>
public sealed record SalesPoint(DateOnly Period, decimal Revenue, int Orders, int Units)
{
    /// <summary>Net sales minus the cost at the time of sale of the units sold in the bucket, minus platform fees.</summary>
    public decimal GrossProfit { get; init; }
}
