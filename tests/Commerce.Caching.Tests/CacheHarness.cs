using Commerce.Caching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Commerce.Caching.Tests;

/// <summary>One cache instance as an application would have it: its own service provider and Redis connection.</summary>
public sealed class CacheHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private CacheHarness(ServiceProvider provider)
    {
        _provider = provider;
        Cache = provider.GetRequiredService<CommerceCache>();
    }

    public CommerceCache Cache { get; }

    public IServiceProvider Services => _provider;

    /// <summary>A memory-only cache.</summary>
    public static Task<CacheHarness> MemoryAsync(TimeProvider? time = null, Action<CommerceCacheOptions>? configure = null) =>
        CreateAsync(null, "memory", time, configure);

    /// <summary>A cache on Redis at <paramref name="redis"/>, with keys under <paramref name="prefix"/>.</summary>
    public static async Task<CacheHarness> CreateAsync(
        string? redis,
        string prefix,
        TimeProvider? time = null,
        Action<CommerceCacheOptions>? configure = null,
        Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddMetrics();
        if (time is not null)
        {
            collection.AddSingleton(time);
        }

        services?.Invoke(collection);
        var builder = collection.AddCommerceCaching(o =>
        {
            o.KeyPrefix = prefix;
            configure?.Invoke(o);
        });
        if (redis is not null)
        {
            builder.WithRedis(redis);
        }

        var provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        return new CacheHarness(provider);
    }

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
