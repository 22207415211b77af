using Microsoft.Extensions.Hosting;

namespace Commerce.Caching.Internal;

/// <summary>Connects and subscribes when the host starts, so the first request does not pay for it.</summary>
internal sealed class CommerceCacheStartup(CommerceCache cache) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        cache is DefaultCommerceCache defaultCache ? defaultCache.StartAsync() : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
