using Commerce.FlashSale;
using Commerce.FlashSale.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Commerce.FlashSale.</summary>
public static class CommerceFlashSaleServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IFlashSaleService"/>, <see cref="IFlashSaleMaintenance"/>, <see cref="FlashSaleRateLimiterFactory"/>,
    /// the migrations (applied at start) and the background expiry sweeper and journal worker.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder to chain <c>WithRedis</c>, <c>WithPostgres</c> and <c>AddEventSubscriber</c>.</returns>
    public static ICommerceFlashSaleBuilder AddCommerceFlashSale(this IServiceCollection services, Action<FlashSaleOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        return AddCore(services);
    }

    /// <summary>Registers Commerce.FlashSale with options bound from a configuration section.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding <see cref="FlashSaleOptions"/>.</param>
    /// <returns>A builder.</returns>
    public static ICommerceFlashSaleBuilder AddCommerceFlashSale(this IServiceCollection services, IConfigurationSection configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.Configure<FlashSaleOptions>(configuration);
        return AddCore(services);
    }

    /// <summary>Registers Commerce.FlashSale with default options (connections from <c>WithRedis</c>/<c>WithPostgres</c>).</summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder.</returns>
    public static ICommerceFlashSaleBuilder AddCommerceFlashSale(this IServiceCollection services) =>
        AddCommerceFlashSale(services, static _ => { });

    private static CommerceFlashSaleBuilder AddCore(IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<FlashSaleOptions, FlashSaleOptionsValidator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FlashSaleOptions>, FlashSaleOptionsConsistencyValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        static FlashSaleOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<FlashSaleOptions>>().Value;
        static ILogger Logger(IServiceProvider sp) => sp.GetRequiredService<ILoggerFactory>().CreateLogger("Commerce.FlashSale");
        services.TryAddSingleton(sp => new FlashSaleConnections(Options(sp), sp, sp.GetService<FlashSaleRedisRegistration>(), sp.GetService<FlashSalePostgresRegistration>()));
        services.TryAddSingleton(sp => new FlashSaleKeys(Options(sp).KeyPrefix));
        services.TryAddSingleton(sp => new FlashSaleSql(Options(sp).Schema));
        services.TryAddSingleton<SaleClock>();
        services.TryAddSingleton<SaleBuckets>();
        services.TryAddSingleton<SplitStock>();
        services.TryAddSingleton<WaitingRooms>();
        services.TryAddSingleton<PostgresSaleStore>();
        services.TryAddSingleton<PostgresReservationStore>();
        services.TryAddSingleton<ConfirmationWriter>();
        services.TryAddSingleton(sp => new FlashSaleMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton(sp => new DrainLease(sp.GetRequiredService<FlashSaleConnections>(), sp.GetRequiredService<FlashSaleKeys>(), Options(sp).JournalLeaseDuration));
        services.TryAddSingleton(sp => new EventDelivery(
            sp.GetServices<IFlashSaleEventSubscriber>(), sp.GetServices<IFlashSaleLifecycleSubscriber>(), sp.GetRequiredService<PostgresSaleStore>(), Options(sp), Logger(sp)));
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<JournalDrainer>(sp, Options(sp), Logger(sp)));
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<SaleRecovery>(sp, Options(sp), Logger(sp)));
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<ExpirySweeper>(sp, Options(sp), Logger(sp)));
        services.TryAddSingleton<ActiveSaleRegistry>();
        services.TryAddSingleton<Reconciler>();
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<SaleWorkers>(sp, Options(sp), Logger(sp)));
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<RedisRequirementsCheck>(sp, Logger(sp)));
        services.TryAddSingleton<SoldOutMemory>();
        services.TryAddSingleton<IFlashSaleService, DefaultFlashSaleService>();
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<FlashSaleMaintenance>(sp, Options(sp)));
        services.TryAddSingleton<IFlashSaleMaintenance>(sp => sp.GetRequiredService<FlashSaleMaintenance>());
        services.TryAddSingleton(sp => new FlashSaleRateLimiterFactory(
            sp.GetRequiredService<FlashSaleConnections>(),
            sp.GetRequiredService<SaleBuckets>(),
            sp.GetRequiredService<IOptions<FlashSaleOptions>>(),
            sp.GetRequiredService<SaleClock>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, FlashSaleMigrationService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, FlashSaleBackgroundService>());
        return new CommerceFlashSaleBuilder(services);
    }
}
