namespace Commerce.Analytics;

/// <summary>Goods of one product given back in a refund.</summary>
/// <param name="ProductId">The product.</param>
/// <param name="Quantity">Units returned (1 or more).</param>
/// <param name="Amount">Money refunded for them (0 or more), in the order's currency: reported as returns.</param>
public sealed record RefundLine(string ProductId, int Quantity, decimal Amount);
