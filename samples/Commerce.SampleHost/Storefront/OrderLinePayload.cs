namespace Commerce.SampleHost;

/// <summary>A line of <see cref="OrderPayload"/>.</summary>
public sealed record OrderLinePayload(string ProductId, int Quantity, decimal UnitPrice, decimal UnitCost);
