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
