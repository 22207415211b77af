using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Webhooks.Tests;

/// <summary>
/// A sender on real PostgreSQL without a host: background work off, private networks allowed, no jitter; or, with
/// <see cref="RunAsync"/>, with its dispatcher running in the background as in a host.
/// </summary>
internal static class SenderHarness
{
    public static async Task<(ServiceProvider Services, IWebhookSender Sender)> StartAsync(PostgresFixture postgres, string schema, TimeProvider time, Action<WebhookSenderOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddCommerceWebhooks(o =>
            {
                o.Schema = schema;
                o.RunInboxProcessor = false;
                o.Sender.RunDispatcher = false;
                o.Sender.AllowPrivateNetworks = true;
                o.Sender.Jitter = 0;
                configure?.Invoke(o.Sender);
            })
            .WithPostgres(postgres.ConnectionString);
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IWebhookInbox>().MigrateAsync();
        return (provider, provider.GetRequiredService<IWebhookSender>());
    }

    /// <summary>A sender whose dispatcher runs (the inbox processor off, private networks allowed), stopped on dispose.</summary>
    public static async Task<RunningSender> RunAsync(PostgresFixture postgres, Action<WebhookSenderOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddCommerceWebhooks(o =>
            {
                o.Schema = TestNames.Unique();
                o.RunInboxProcessor = false;
                o.Sender.AllowPrivateNetworks = true;
                configure(o.Sender);
            })
            .WithPostgres(postgres.ConnectionString);
        var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        return new RunningSender(provider, hosted);
    }

    /// <summary>A sender with its background services started.</summary>
    public sealed class RunningSender(ServiceProvider provider, List<Microsoft.Extensions.Hosting.IHostedService> hosted) : IAsyncDisposable
    {
        public IWebhookSender Sender { get; } = provider.GetRequiredService<IWebhookSender>();

        public async ValueTask DisposeAsync()
        {
            foreach (var service in hosted)
            {
                await service.StopAsync(CancellationToken.None);
            }

            await provider.DisposeAsync();
        }
    }
}
