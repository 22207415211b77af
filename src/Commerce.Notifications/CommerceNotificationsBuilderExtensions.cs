using Commerce.Notifications.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Commerce.Notifications;

/// <summary>Connections, channels and room rules of Commerce.Notifications.</summary>
public static class CommerceNotificationsBuilderExtensions
{
    /// <summary>Uses Redis with a StackExchange.Redis configuration string.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configuration">For example <c>localhost:6379</c>.</param>
    /// <returns>The builder.</returns>
    public static ICommerceNotificationsBuilder WithRedis(this ICommerceNotificationsBuilder builder, string configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        builder.Services.Configure<NotificationsOptions>(o => o.RedisConfiguration = configuration);
        return builder;
    }

    /// <summary>Uses an existing Redis connection (not disposed by the package).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connection">The connection.</param>
    /// <returns>The builder.</returns>
    public static ICommerceNotificationsBuilder WithRedis(this ICommerceNotificationsBuilder builder, IConnectionMultiplexer connection)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(connection);
        builder.Services.RemoveAll<NotificationsRedisRegistration>();
        builder.Services.AddSingleton(new NotificationsRedisRegistration(_ => Task.FromResult(connection)));
        return builder;
    }

    /// <summary>Uses PostgreSQL at <paramref name="connectionString"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <returns>The builder.</returns>
    public static ICommerceNotificationsBuilder WithPostgres(this ICommerceNotificationsBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        builder.Services.Configure<NotificationsOptions>(o => o.PostgresConnectionString = connectionString);
        return builder;
    }

    /// <summary>Uses an existing PostgreSQL data source (not disposed by the package).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="dataSource">The data source.</param>
    /// <returns>The builder.</returns>
    public static ICommerceNotificationsBuilder WithPostgres(this ICommerceNotificationsBuilder builder, NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        builder.Services.RemoveAll<NotificationsPostgresRegistration>();
        builder.Services.AddSingleton(new NotificationsPostgresRegistration(_ => dataSource));
        return builder;
    }

    /// <summary>Adds an out-of-band channel (its <see cref="INotificationChannel.Name"/> is used in requests).</summary>
    /// <typeparam name="TChannel">The channel.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ICommerceNotificationsBuilder AddChannel<TChannel>(this ICommerceNotificationsBuilder builder)
        where TChannel : class, INotificationChannel
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationChannel, TChannel>());
        return builder;
    }

    /// <summary>Adds the <c>email</c> channel, sending over SMTP.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the SMTP options.</param>
    /// <returns>The builder.</returns>
    public static ICommerceNotificationsBuilder AddSmtpEmail(this ICommerceNotificationsBuilder builder, Action<SmtpEmailOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return AddSmtpCore(builder);
    }

    /// <summary>Adds the <c>email</c> channel with options bound from a configuration section.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configuration">The section holding <see cref="SmtpEmailOptions"/>.</param>
    /// <returns>The builder.</returns>
    public static ICommerceNotificationsBuilder AddSmtpEmail(this ICommerceNotificationsBuilder builder, IConfigurationSection configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        builder.Services.Configure<SmtpEmailOptions>(configuration);
        return AddSmtpCore(builder);
    }

    /// <summary>Replaces the rule deciding who may join which room.</summary>
    /// <typeparam name="TAuthorizer">The authorizer.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ICommerceNotificationsBuilder AddRoomAuthorizer<TAuthorizer>(this ICommerceNotificationsBuilder builder)
        where TAuthorizer : class, INotificationRoomAuthorizer
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<INotificationRoomAuthorizer>();
        builder.Services.AddSingleton<INotificationRoomAuthorizer, TAuthorizer>();
        return builder;
    }

    private static ICommerceNotificationsBuilder AddSmtpCore(ICommerceNotificationsBuilder builder)
    {
        builder.Services.AddOptionsWithValidateOnStart<SmtpEmailOptions, SmtpEmailOptionsValidator>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmtpEmailOptions>, SmtpEmailOptionsConsistencyValidator>());
        return builder.AddChannel<SmtpEmailChannel>();
    }
}
