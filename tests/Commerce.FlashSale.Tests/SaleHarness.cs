using Microsoft.Extensions.DependencyInjection;

namespace Commerce.FlashSale.Tests;

/// <summary>One host instance of the flash-sale package: its own Redis connection, sharing a key prefix and schema.</summary>
public sealed class SaleHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private SaleHarness(ServiceProvider provider)
    {
        _provider = provider;
        Sales = provider.GetRequiredService<IFlashSaleService>();
        Maintenance = provider.GetRequiredService<IFlashSaleMaintenance>();
        RateLimiters = provider.GetRequiredService<FlashSaleRateLimiterFactory>();
    }

    public IFlashSaleService Sales { get; }

    public IFlashSaleMaintenance Maintenance { get; }

    public FlashSaleRateLimiterFactory RateLimiters { get; }

    public IServiceProvider Services => _provider;

    /// <summary>Starts the hosted services (migrations, the startup check, the background workers when turned on).</summary>
    public async Task StartAsync()
    {
        foreach (var hosted in _provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }
    }

    /// <summary>Stops the hosted services.</summary>
    public async Task StopAsync()
    {
        foreach (var hosted in _provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>().Reverse())
        {
            await hosted.StopAsync(CancellationToken.None);
        }
    }

    public static async Task<SaleHarness> CreateAsync(
        string redis,
        string postgres,
        string name,
        Action<FlashSaleOptions>? configure = null,
        Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddMetrics();
        services?.Invoke(collection);
        collection.AddCommerceFlashSale(o =>
            {
                o.KeyPrefix = $"test:fs:{name}";
                o.Schema = name;
                o.RunBackgroundWorkers = false;
                configure?.Invoke(o);
            })
            .WithRedis(redis)
            .WithPostgres(postgres);
        var provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var harness = new SaleHarness(provider);
        await harness.Maintenance.MigrateAsync();
        return harness;
    }

    public static FlashSaleDefinition Definition(int stock = 10, int limit = 2, string product = "p1", TimeSpan? startsIn = null, TimeSpan? lasts = null, DateTimeOffset? now = null) =>
        new()
        {
            Id = Guid.NewGuid(),
            ShopId = "shop-1",
            Name = "Midnight sale",
            StartsAt = (now ?? DateTimeOffset.UtcNow) + (startsIn ?? TimeSpan.FromMinutes(-1)),
            EndsAt = (now ?? DateTimeOffset.UtcNow) + (startsIn ?? TimeSpan.FromMinutes(-1)) + (lasts ?? TimeSpan.FromHours(1)),
            Items = [new FlashSaleItemDefinition(product, stock, 9.99m, limit)],
        };

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
