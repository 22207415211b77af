namespace Commerce.SampleHost;

/// <summary><c>data</c> of <c>sync.batch</c>: a shop's catalogue and history at once.</summary>
public sealed record BatchPayload(string ShopId, IReadOnlyList<ProductPayload> Products, IReadOnlyList<OrderPayload> Orders);
