using Commerce.Webhooks;
using Commerce.Webhooks.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Commerce.Webhooks.</summary>
public static class CommerceWebhooksServiceCollectionExtensions
{
    /// <summary>
    /// Registers the receiver (<see cref="IWebhookReceiver"/>, used by <c>MapWebhooks</c>), the inbox
    /// (<see cref="IWebhookInbox"/>) and its processor, the sender (<see cref="IWebhookSender"/>) and its dispatcher, and
    /// the migrations applied at start.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder to chain <c>WithPostgres</c>, <c>AddSource</c> and <c>AddHandler</c>.</returns>
    public static ICommerceWebhooksBuilder AddCommerceWebhooks(this IServiceCollection services, Action<WebhooksOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        return AddCore(services);
    }

    /// <summary>Registers Commerce.Webhooks with options bound from a configuration section.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding <see cref="WebhooksOptions"/>.</param>
    /// <returns>A builder.</returns>
    public static ICommerceWebhooksBuilder AddCommerceWebhooks(this IServiceCollection services, IConfigurationSection configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.Configure<WebhooksOptions>(configuration);
        return AddCore(services);
    }

    /// <summary>Registers Commerce.Webhooks with default options.</summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder.</returns>
    public static ICommerceWebhooksBuilder AddCommerceWebhooks(this IServiceCollection services) =>
        AddCommerceWebhooks(services, static _ => { });

    private static CommerceWebhooksBuilder AddCore(IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<WebhooksOptions, WebhooksOptionsValidator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhooksOptions>, WebhooksOptionsConsistencyValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        services.TryAddSingleton<WebhooksConnections>();
        services.TryAddSingleton(sp => new WebhooksMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<VerifierRegistry>();
        services.TryAddSingleton<HandlerRegistry>();
        services.TryAddSingleton<PayloadValidators>();
        services.TryAddSingleton<InboxStore>();
        services.TryAddSingleton<InboxWriter>();
        services.TryAddSingleton<InboxLeaseKeeper>();
        services.TryAddSingleton<InboxProcessor>();
        services.TryAddSingleton<InboxPump>();
        services.TryAddSingleton<OutboxStore>();
        services.TryAddSingleton<EndpointStore>();
        services.TryAddSingleton<OutboxDispatcher>();
        services.TryAddSingleton<IWebhookInbox, DefaultWebhookInbox>();
        services.TryAddSingleton<IWebhookReceiver, DefaultWebhookReceiver>();
        services.TryAddSingleton<IWebhookSender, DefaultWebhookSender>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WebhooksMigrationService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, InboxWorker>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DispatcherWorker>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RetentionWorker>());
        return new CommerceWebhooksBuilder(services);
    }
}
