using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Commerce.FlashSale.Internal;

/// <summary>Applies the migrations when the host starts, before the background workers run.</summary>
internal sealed class FlashSaleMigrationService(IFlashSaleMaintenance maintenance, IOptions<FlashSaleOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        options.Value.ApplyMigrationsOnStart ? maintenance.MigrateAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
