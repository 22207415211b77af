using System.ComponentModel;

namespace Commerce.Caching.Benchmarks;

/// <summary>A cached dashboard value. Marked immutable so HybridCache may hand out the same instance on a memory hit, as the others do.</summary>
[ImmutableObject(true)]
public sealed record Report(string Shop, decimal Revenue, int Orders, decimal AverageOrderValue);

/// <summary>The same figures as a mutable class: both HybridCache and Commerce.Caching give each caller its own copy.</summary>
public sealed class MutableReport
{
    public string Shop { get; set; } = "";

    public decimal Revenue { get; set; }

    public int Orders { get; set; }

    public decimal AverageOrderValue { get; set; }
}
