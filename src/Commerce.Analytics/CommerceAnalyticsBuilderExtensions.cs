using Commerce.Analytics.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Commerce.Analytics;

/// <summary>Connections for Commerce.Analytics.</summary>
public static class CommerceAnalyticsBuilderExtensions
{
    /// <summary>Uses PostgreSQL at <paramref name="connectionString"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <returns>The builder.</returns>
    public static ICommerceAnalyticsBuilder WithPostgres(this ICommerceAnalyticsBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        builder.Services.Configure<AnalyticsOptions>(o => o.PostgresConnectionString = connectionString);
        return builder;
    }

    /// <summary>Uses an existing PostgreSQL data source (not disposed by the package).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="dataSource">The data source.</param>
    /// <returns>The builder.</returns>
    public static ICommerceAnalyticsBuilder WithPostgres(this ICommerceAnalyticsBuilder builder, NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        builder.Services.RemoveAll<AnalyticsPostgresRegistration>();
        builder.Services.AddSingleton(new AnalyticsPostgresRegistration(_ => dataSource));
        return builder;
    }
}
