namespace Commerce.Analytics;

/// <summary>Profit of one product.</summary>
/// <param name="ProductId">The product.</param>
/// <param name="Name">Its name, if known.</param>
/// <param name="Revenue">Price x quantity sold minus the product's returns.</param>
/// <param name="Cost">Cost of goods sold (unit cost at the time of each sale), returned units giving theirs back.</param>
/// <param name="GrossProfit">Revenue minus cost.</param>
/// <param name="Margin">Gross profit over revenue, null when there is no revenue.</param>
/// <param name="Units">Units sold.</param>
public sealed record ProductProfit(string ProductId, string? Name, decimal Revenue, decimal Cost, decimal GrossProfit, decimal? Margin, int Units)
{
    /// <summary>Refunds of the product booked in the range: the amount refunded for a partial refund, its price for a full one.</summary>
    public decimal Returns { get; init; }

    /// <summary>Units returned in the range.</summary>
    public int UnitsReturned { get; init; }
}
