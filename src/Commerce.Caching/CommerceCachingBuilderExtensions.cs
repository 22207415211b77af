using Commerce.Caching.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace Commerce.Caching;

/// <summary>Adds the Redis level to Commerce.Caching.</summary>
public static class CommerceCachingBuilderExtensions
{
    /// <summary>
    /// Uses Redis at <paramref name="configuration"/> (a StackExchange.Redis configuration string; several nodes
    /// for a cluster). The cache opens and owns its connection, configured to fail fast while Redis is down.
    /// </summary>
    /// <param name="builder">The caching builder.</param>
    /// <param name="configuration">For example <c>localhost:6379</c>.</param>
    /// <returns>The builder.</returns>
    public static ICommerceCachingBuilder WithRedis(this ICommerceCachingBuilder builder, string configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        builder.Services.Configure<CommerceCacheOptions>(o => o.RedisConfiguration = configuration);
        return builder;
    }

    /// <summary>
    /// Uses the Redis connection <paramref name="connect"/> returns (for example one the application shares). The
    /// cache does not dispose it. Configure it with <c>AbortOnConnectFail=false</c> and
    /// <c>BacklogPolicy.FailFast</c> so requests fall back quickly while Redis is down.
    /// </summary>
    /// <param name="builder">The caching builder.</param>
    /// <param name="connect">Returns the connection.</param>
    /// <returns>The builder.</returns>
    public static ICommerceCachingBuilder WithRedis(this ICommerceCachingBuilder builder, Func<IServiceProvider, Task<IConnectionMultiplexer>> connect)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(connect);
        builder.Services.RemoveAll<RedisConnectionRegistration>();
        builder.Services.AddSingleton(new RedisConnectionRegistration(connect, Owned: false));
        return builder;
    }

    /// <summary>
    /// Warms the cache after the host starts: the entries <typeparamref name="TWarmup"/> declares are loaded in the
    /// background (at most <see cref="CommerceCacheOptions.WarmupConcurrency"/> at once), through the cache, so a
    /// value another instance already cached in Redis is read rather than computed. It never delays start or
    /// readiness; progress is in <see cref="CommerceCache.Status"/>. Several warm-ups may be added.
    /// </summary>
    /// <typeparam name="TWarmup">Declares the entries; resolved as a singleton.</typeparam>
    /// <param name="builder">The caching builder.</param>
    /// <returns>The builder.</returns>
    public static ICommerceCachingBuilder WithWarmup<TWarmup>(this ICommerceCachingBuilder builder)
        where TWarmup : class, ICommerceCacheWarmup
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<TWarmup>();
        if (!builder.Services.Any(d => d.ServiceType == typeof(WarmupRegistration<TWarmup>)))
        {
            builder.Services.AddSingleton<WarmupRegistration<TWarmup>>();
            builder.Services.AddSingleton<ICommerceCacheWarmup>(static sp => sp.GetRequiredService<TWarmup>());
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, CacheWarmupService>());
        return builder;
    }

    /// <summary>Uses an existing Redis connection, which the cache does not dispose.</summary>
    /// <param name="builder">The caching builder.</param>
    /// <param name="connection">The connection.</param>
    /// <returns>The builder.</returns>
    public static ICommerceCachingBuilder WithRedis(this ICommerceCachingBuilder builder, IConnectionMultiplexer connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return builder.WithRedis(_ => Task.FromResult(connection));
    }
}
