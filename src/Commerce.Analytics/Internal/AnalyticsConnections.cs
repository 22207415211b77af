using System.Collections.Concurrent;
using Commerce.Shared;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Commerce.Analytics.Internal;

/// <summary>The PostgreSQL data source, from <c>WithPostgres</c> or the options, its schema, and the statements of <c>Internal/Sql</c>.</summary>
internal sealed class AnalyticsConnections(IOptions<AnalyticsOptions> options, IServiceProvider services, AnalyticsPostgresRegistration? registration = null) : IAsyncDisposable
{
    private readonly Lazy<NpgsqlDataSource> _dataSource = new(() => registration is not null
        ? registration.DataSource(services)
        : NpgsqlDataSource.Create(options.Value.PostgresConnectionString ?? throw new InvalidOperationException(
            "Commerce.Analytics has no PostgreSQL: set AnalyticsOptions.PostgresConnectionString or call WithPostgres(...).")));

    public NpgsqlDataSource DataSource => _dataSource.Value;

    /// <summary>The schema, quoted for SQL.</summary>
    public string Schema { get; } = $"\"{options.Value.Schema}\"";

    private readonly ConcurrentDictionary<string, string> _sql = new(StringComparer.Ordinal);

    /// <summary>A statement of <c>Internal/Sql/</c>, with the schema filled in (read once).</summary>
    public string Sql(string file) =>
        _sql.GetOrAdd(file, static (f, schema) => EmbeddedText.Read(typeof(AnalyticsConnections).Assembly, f).Replace("{schema}", schema, StringComparison.Ordinal), Schema);

    public async ValueTask DisposeAsync()
    {
        if (registration is null && _dataSource.IsValueCreated)
        {
            await _dataSource.Value.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>A data source given with <c>WithPostgres</c> (not disposed by the package).</summary>
internal sealed record AnalyticsPostgresRegistration(Func<IServiceProvider, NpgsqlDataSource> DataSource);
