namespace Commerce.Analytics;

/// <summary>One bucket of a sales series; empty buckets are present with zeros.</summary>
/// <param name="Period">The bucket's first day.</param>
/// <param name="Revenue">Net sales: price x quantity of the orders paid in the bucket, minus their discounts, minus the returns booked in it.</param>
/// <param name="Orders">Counted orders.</param>
/// <param name="Units">Units sold.</param>
public sealed record SalesPoint(DateOnly Period, decimal Revenue, int Orders, int Units)
{
    /// <summary>Net sales minus the cost at the time of sale of the units kept (units returned in the bucket give theirs back), minus platform fees.</summary>
    public decimal GrossProfit { get; init; }

    /// <summary>Net sales (the same as <see cref="Revenue"/>).</summary>
    public decimal NetSales => Revenue;

    /// <summary>Refunds booked in the bucket, on the day they happened (part of net sales already).</summary>
    public decimal Returns { get; init; }
}
