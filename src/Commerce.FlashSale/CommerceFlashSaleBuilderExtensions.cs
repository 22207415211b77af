using Commerce.FlashSale.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using StackExchange.Redis;

namespace Commerce.FlashSale;

/// <summary>Connections and event handlers for Commerce.FlashSale.</summary>
public static class CommerceFlashSaleBuilderExtensions
{
    /// <summary>Uses Redis at <paramref name="configuration"/> (a StackExchange.Redis configuration string; several nodes for a cluster).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configuration">For example <c>localhost:6379</c>.</param>
    /// <returns>The builder.</returns>
    public static ICommerceFlashSaleBuilder WithRedis(this ICommerceFlashSaleBuilder builder, string configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        builder.Services.Configure<FlashSaleOptions>(o => o.RedisConfiguration = configuration);
        return builder;
    }

    /// <summary>Uses an existing Redis connection (not disposed by the package).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connection">The connection.</param>
    /// <returns>The builder.</returns>
    public static ICommerceFlashSaleBuilder WithRedis(this ICommerceFlashSaleBuilder builder, IConnectionMultiplexer connection)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(connection);
        builder.Services.RemoveAll<FlashSaleRedisRegistration>();
        builder.Services.AddSingleton(new FlashSaleRedisRegistration(_ => Task.FromResult(connection)));
        return builder;
    }

    /// <summary>Uses PostgreSQL at <paramref name="connectionString"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <returns>The builder.</returns>
    public static ICommerceFlashSaleBuilder WithPostgres(this ICommerceFlashSaleBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        builder.Services.Configure<FlashSaleOptions>(o => o.PostgresConnectionString = connectionString);
        return builder;
    }

    /// <summary>Uses an existing PostgreSQL data source (not disposed by the package).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="dataSource">The data source.</param>
    /// <returns>The builder.</returns>
    public static ICommerceFlashSaleBuilder WithPostgres(this ICommerceFlashSaleBuilder builder, NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        builder.Services.RemoveAll<FlashSalePostgresRegistration>();
        builder.Services.AddSingleton(new FlashSalePostgresRegistration(_ => dataSource));
        return builder;
    }

    /// <summary>Adds a subscriber to reservation state changes (see <see cref="IFlashSaleEventSubscriber"/>).</summary>
    /// <typeparam name="TSubscriber">The subscriber type, resolved from DI as a singleton.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ICommerceFlashSaleBuilder AddEventSubscriber<TSubscriber>(this ICommerceFlashSaleBuilder builder)
        where TSubscriber : class, IFlashSaleEventSubscriber
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IFlashSaleEventSubscriber, TSubscriber>());
        return builder;
    }

    /// <summary>
    /// Adds a subscriber to sale lifecycle transitions: started, ended, cancelled, sold out, units back (see
    /// <see cref="IFlashSaleLifecycleSubscriber"/>).
    /// </summary>
    /// <typeparam name="TSubscriber">The subscriber type, resolved from DI as a singleton.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ICommerceFlashSaleBuilder AddLifecycleSubscriber<TSubscriber>(this ICommerceFlashSaleBuilder builder)
        where TSubscriber : class, IFlashSaleLifecycleSubscriber
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IFlashSaleLifecycleSubscriber, TSubscriber>());
        return builder;
    }
}
