using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Analytics.Tests;

/// <summary>The analytics package on its own schema of the test database.</summary>
public sealed class AnalyticsHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private AnalyticsHarness(ServiceProvider provider)
    {
        _provider = provider;
        Ingestion = provider.GetRequiredService<IAnalyticsIngestion>();
        Reports = provider.GetRequiredService<IAnalyticsReports>();
    }

    public IAnalyticsIngestion Ingestion { get; }

    public IAnalyticsReports Reports { get; }

    /// <summary>The schema the harness' tables are in.</summary>
    public string Schema => _provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<AnalyticsOptions>>().Value.Schema;

    public static async Task<AnalyticsHarness> CreateAsync(string postgres, TimeProvider? time = null, Action<AnalyticsOptions>? configure = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddCommerceAnalytics(o =>
            {
                o.Schema = TestNames.Unique("analytics");
                configure?.Invoke(o);
            })
            .WithPostgres(postgres);
        var harness = new AnalyticsHarness(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }));
        await harness.Ingestion.MigrateAsync();
        return harness;
    }

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
