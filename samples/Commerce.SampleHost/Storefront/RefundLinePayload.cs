namespace Commerce.SampleHost;

/// <summary>A line of an <c>orders.refunded</c> payload: units of a product given back for an amount.</summary>
public sealed record RefundLinePayload(string ProductId, int Quantity, decimal Amount);
