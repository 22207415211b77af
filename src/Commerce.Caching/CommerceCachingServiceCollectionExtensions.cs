using Commerce.Caching;
using Commerce.Caching.Internal;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Commerce.Caching.</summary>
public static class CommerceCachingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="CommerceCache"/>, also as the application's <see cref="HybridCache"/>. Without
    /// <c>WithRedis</c> (or <see cref="CommerceCacheOptions.RedisConfiguration"/>) it is a memory-only cache.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to chain <c>WithRedis</c>.</returns>
    public static ICommerceCachingBuilder AddCommerceCaching(this IServiceCollection services) =>
        AddCommerceCaching(services, static _ => { });

    /// <summary>Registers <see cref="CommerceCache"/> and configures its options.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder to chain <c>WithRedis</c>.</returns>
    public static ICommerceCachingBuilder AddCommerceCaching(this IServiceCollection services, Action<CommerceCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        return AddCore(services);
    }

    /// <summary>Registers <see cref="CommerceCache"/> with options bound from a configuration section.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding <see cref="CommerceCacheOptions"/> (for example <c>Commerce:Caching</c>).</param>
    /// <returns>A builder to chain <c>WithRedis</c>.</returns>
    public static ICommerceCachingBuilder AddCommerceCaching(this IServiceCollection services, IConfigurationSection configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.Configure<CommerceCacheOptions>(configuration);
        return AddCore(services);
    }

    private static CommerceCachingBuilder AddCore(IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<CommerceCacheOptions, CommerceCacheOptionsValidator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CommerceCacheOptions>, CommerceCacheOptionsConsistencyValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CacheWarmupProgress>();
        services.TryAddSingleton<CommerceCache, DefaultCommerceCache>();
        services.TryAddSingleton<HybridCache>(static sp => sp.GetRequiredService<CommerceCache>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CommerceCacheStartup>());
        return new CommerceCachingBuilder(services);
    }
}
