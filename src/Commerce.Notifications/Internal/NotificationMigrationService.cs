using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Commerce.Notifications.Internal;

/// <summary>Applies the migrations when the host starts, before the background services run.</summary>
internal sealed class NotificationMigrationService(INotificationService service, IOptions<NotificationsOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        options.Value.ApplyMigrationsOnStart ? service.MigrateAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
