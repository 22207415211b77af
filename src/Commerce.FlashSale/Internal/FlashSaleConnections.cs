using Commerce.Shared;
using Npgsql;
using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>The Redis connection and PostgreSQL data source, from <c>WithRedis</c>/<c>WithPostgres</c> or the options.</summary>
internal sealed class FlashSaleConnections(FlashSaleOptions options, IServiceProvider services, FlashSaleRedisRegistration? redis, FlashSalePostgresRegistration? postgres)
    : RedisPostgresConnections("Commerce.FlashSale", nameof(FlashSaleOptions), options.RedisConfiguration, options.PostgresConnectionString, services, redis?.Connect, postgres?.DataSource)
{
    public async ValueTask<IDatabase> RedisAsync()
    {
        var connection = await ConnectRedisAsync().ConfigureAwait(false);
        return connection.GetDatabase();
    }
}

/// <summary>A Redis connection given with <c>WithRedis</c> (not disposed by the package).</summary>
internal sealed record FlashSaleRedisRegistration(Func<IServiceProvider, Task<IConnectionMultiplexer>> Connect);

/// <summary>A PostgreSQL data source given with <c>WithPostgres</c> (not disposed by the package).</summary>
internal sealed record FlashSalePostgresRegistration(Func<IServiceProvider, NpgsqlDataSource> DataSource);
