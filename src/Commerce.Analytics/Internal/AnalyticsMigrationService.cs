using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Commerce.Analytics.Internal;

/// <summary>Applies the migrations when the host starts.</summary>
internal sealed class AnalyticsMigrationService(IAnalyticsIngestion ingestion, IOptions<AnalyticsOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        options.Value.ApplyMigrationsOnStart ? ingestion.MigrateAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
