using System.ComponentModel;

namespace Commerce.Caching.Benchmarks;

/// <summary>A cached dashboard value. Marked immutable so HybridCache may hand out the same instance on a memory hit, as the others do.</summary>
[ImmutableObject(true)]
public sealed record Report(string Shop, decimal Revenue, int Orders, decimal AverageOrderValue);
