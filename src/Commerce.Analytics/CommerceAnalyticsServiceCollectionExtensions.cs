using Commerce.Analytics;
using Commerce.Analytics.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Commerce.Analytics.</summary>
public static class CommerceAnalyticsServiceCollectionExtensions
{
    /// <summary>Registers <see cref="IAnalyticsIngestion"/>, <see cref="IAnalyticsReports"/> and the migrations applied at start.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder to chain <c>WithPostgres</c>.</returns>
    public static ICommerceAnalyticsBuilder AddCommerceAnalytics(this IServiceCollection services, Action<AnalyticsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        return AddCore(services);
    }

    /// <summary>Registers Commerce.Analytics with options bound from a configuration section.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding <see cref="AnalyticsOptions"/>.</param>
    /// <returns>A builder.</returns>
    public static ICommerceAnalyticsBuilder AddCommerceAnalytics(this IServiceCollection services, IConfigurationSection configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.Configure<AnalyticsOptions>(configuration);
        return AddCore(services);
    }

    /// <summary>Registers Commerce.Analytics with default options.</summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder.</returns>
    public static ICommerceAnalyticsBuilder AddCommerceAnalytics(this IServiceCollection services) =>
        AddCommerceAnalytics(services, static _ => { });

    private static CommerceAnalyticsBuilder AddCore(IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<AnalyticsOptions, AnalyticsOptionsValidator>();
        // A Windows id becomes its IANA name before anything reads it: PostgreSQL knows IANA names only.
        services.PostConfigure<AnalyticsOptions>(o => o.DefaultTimeZone = AnalyticsValidation.IanaName(o.DefaultTimeZone) ?? o.DefaultTimeZone);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AnalyticsOptions>, AnalyticsOptionsConsistencyValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        services.TryAddSingleton<AnalyticsConnections>();
        services.TryAddSingleton(sp => new AnalyticsMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<IAnalyticsIngestion, DefaultAnalyticsIngestion>();
        services.TryAddSingleton<IAnalyticsReports, DefaultAnalyticsReports>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AnalyticsMigrationService>());
        return new CommerceAnalyticsBuilder(services);
    }
}
