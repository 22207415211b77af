using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Commerce.Webhooks.Internal;

/// <summary>Applies the migrations when the host starts, before the inbox and outbox workers run.</summary>
internal sealed class WebhooksMigrationService(IWebhookInbox inbox, IOptions<WebhooksOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        options.Value.ApplyMigrationsOnStart ? inbox.MigrateAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
