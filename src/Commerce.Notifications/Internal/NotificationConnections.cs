using Commerce.Shared;
using Npgsql;
using StackExchange.Redis;

namespace Commerce.Notifications.Internal;

/// <summary>The Redis connection and PostgreSQL data source, from <c>WithRedis</c>/<c>WithPostgres</c> or the options.</summary>
internal sealed class NotificationConnections(NotificationsOptions options, IServiceProvider services, NotificationsRedisRegistration? redis, NotificationsPostgresRegistration? postgres)
    : RedisPostgresConnections("Commerce.Notifications", nameof(NotificationsOptions), options.RedisConfiguration, options.PostgresConnectionString, services, redis?.Connect, postgres?.DataSource)
{
    public Task<IConnectionMultiplexer> RedisAsync() => ConnectRedisAsync();
}

/// <summary>A Redis connection given with <c>WithRedis</c> (not disposed by the package).</summary>
internal sealed record NotificationsRedisRegistration(Func<IServiceProvider, Task<IConnectionMultiplexer>> Connect);

/// <summary>A PostgreSQL data source given with <c>WithPostgres</c> (not disposed by the package).</summary>
internal sealed record NotificationsPostgresRegistration(Func<IServiceProvider, NpgsqlDataSource> DataSource);
