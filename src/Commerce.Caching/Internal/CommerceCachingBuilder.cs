using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Caching.Internal;

internal sealed class CommerceCachingBuilder(IServiceCollection services) : ICommerceCachingBuilder
{
    public IServiceCollection Services { get; } = services;
}
