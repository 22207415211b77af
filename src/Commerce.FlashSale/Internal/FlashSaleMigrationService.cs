using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// At host start, before the background workers run: applies the migrations and checks what the sale data needs from
/// Redis (<see cref="RedisRequirementsCheck"/>).
/// </summary>
internal sealed class FlashSaleMigrationService(IFlashSaleMaintenance maintenance, RedisRequirementsCheck redis, IOptions<FlashSaleOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.ApplyMigrationsOnStart)
        {
            await maintenance.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }

        await redis.CheckAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
