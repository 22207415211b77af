using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Analytics;

/// <summary>Returned by <c>AddCommerceAnalytics</c> so configuration chains.</summary>
public interface ICommerceAnalyticsBuilder
{
    /// <summary>The service collection.</summary>
    IServiceCollection Services { get; }
}
