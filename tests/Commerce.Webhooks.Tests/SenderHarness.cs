using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Webhooks.Tests;

/// <summary>A sender on real PostgreSQL without a host: background work off, private networks allowed, no jitter.</summary>
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
}
