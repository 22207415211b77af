using Commerce.Notifications;
using Commerce.Notifications.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Commerce.Notifications.</summary>
public static class CommerceNotificationsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="INotificationService"/>, <see cref="INotificationStreams"/>, the SignalR hub's services, the
    /// fan-out over Redis, the background worker and the migrations applied at start.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder to chain <c>WithRedis</c>, <c>WithPostgres</c>, channels and the room authorizer.</returns>
    public static ICommerceNotificationsBuilder AddCommerceNotifications(this IServiceCollection services, Action<NotificationsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        return AddCore(services);
    }

    /// <summary>Registers Commerce.Notifications with options bound from a configuration section.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding <see cref="NotificationsOptions"/>.</param>
    /// <returns>A builder.</returns>
    public static ICommerceNotificationsBuilder AddCommerceNotifications(this IServiceCollection services, IConfigurationSection configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.Configure<NotificationsOptions>(configuration);
        return AddCore(services);
    }

    /// <summary>Registers Commerce.Notifications with default options.</summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder.</returns>
    public static ICommerceNotificationsBuilder AddCommerceNotifications(this IServiceCollection services) =>
        AddCommerceNotifications(services, static _ => { });

    private static CommerceNotificationsBuilder AddCore(IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<NotificationsOptions, NotificationsOptionsValidator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NotificationsOptions>, NotificationsOptionsConsistencyValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        services.AddSignalR();
        services.TryAddSingleton(sp => new NotificationConnections(
            sp.GetRequiredService<IOptions<NotificationsOptions>>().Value, sp, sp.GetService<NotificationsRedisRegistration>(), sp.GetService<NotificationsPostgresRegistration>()));
        services.TryAddSingleton(sp => new NotificationMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton(sp => new NotificationStore(sp.GetRequiredService<NotificationConnections>(), sp.GetRequiredService<IOptions<NotificationsOptions>>().Value));
        services.TryAddSingleton(sp => new RedisHealth(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Commerce.Notifications")));
        services.TryAddSingleton<TopicRegistry>();
        services.TryAddSingleton<PublishQueue>();
        services.TryAddSingleton<NotificationFanout>();
        services.TryAddSingleton(sp => new NotificationCreations(sp.GetRequiredService<NotificationConnections>(), sp.GetRequiredService<IOptions<NotificationsOptions>>().Value));
        services.TryAddSingleton<NotificationWriter>();
        services.TryAddSingleton<NotificationWorkerSignal>();
        services.TryAddSingleton<DefaultNotificationService>();
        services.TryAddSingleton<INotificationService>(sp => sp.GetRequiredService<DefaultNotificationService>());
        services.TryAddSingleton<INotificationStreams>(sp => sp.GetRequiredService<DefaultNotificationService>());
        services.TryAddSingleton<INotificationRoomAuthorizer, ShopRoomAuthorizer>();
        services.TryAddSingleton<SignalRSubscriptions>();
        services.TryAddSingleton<SseHeartbeat>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, NotificationMigrationService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, NotificationCatchUp>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, NotificationWorker>());
        return new CommerceNotificationsBuilder(services);
    }
}
