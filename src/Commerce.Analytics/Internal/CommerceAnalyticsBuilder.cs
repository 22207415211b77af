using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Analytics.Internal;

internal sealed class CommerceAnalyticsBuilder(IServiceCollection services) : ICommerceAnalyticsBuilder
{
    public IServiceCollection Services { get; } = services;
}
