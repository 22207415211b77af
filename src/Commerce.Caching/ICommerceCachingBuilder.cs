using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Caching;

/// <summary>Returned by <c>AddCommerceCaching</c> so configuration chains: <c>services.AddCommerceCaching().WithRedis("localhost")</c>.</summary>
public interface ICommerceCachingBuilder
{
    /// <summary>The service collection the cache is registered in.</summary>
    IServiceCollection Services { get; }
}
