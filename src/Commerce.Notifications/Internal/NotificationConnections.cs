using Npgsql;
using StackExchange.Redis;

namespace Commerce.Notifications.Internal;

/// <summary>The Redis connection and PostgreSQL data source, from <c>WithRedis</c>/<c>WithPostgres</c> or the options.</summary>
internal sealed class NotificationConnections : IAsyncDisposable
{
    private readonly Lazy<Task<IConnectionMultiplexer>> _redis;
    private readonly Lazy<NpgsqlDataSource> _postgres;
    private readonly bool _ownsRedis;
    private readonly bool _ownsPostgres;

    public NotificationConnections(NotificationsOptions options, IServiceProvider services, NotificationsRedisRegistration? redis, NotificationsPostgresRegistration? postgres)
    {
        _ownsRedis = redis is null;
        _ownsPostgres = postgres is null;
        _redis = new Lazy<Task<IConnectionMultiplexer>>(() => redis is not null
            ? redis.Connect(services)
            : ConnectAsync(options.RedisConfiguration ?? throw new InvalidOperationException(
                "Commerce.Notifications has no Redis: set NotificationsOptions.RedisConfiguration or call WithRedis(...).")));
        _postgres = new Lazy<NpgsqlDataSource>(() => postgres is not null
            ? postgres.DataSource(services)
            : NpgsqlDataSource.Create(options.PostgresConnectionString ?? throw new InvalidOperationException(
                "Commerce.Notifications has no PostgreSQL: set NotificationsOptions.PostgresConnectionString or call WithPostgres(...).")));
    }

    public NpgsqlDataSource Postgres => _postgres.Value;

    public Task<IConnectionMultiplexer> RedisAsync() => _redis.Value;

    public async ValueTask DisposeAsync()
    {
        if (_ownsRedis && _redis.IsValueCreated && _redis.Value.IsCompletedSuccessfully)
        {
            await _redis.Value.Result.DisposeAsync().ConfigureAwait(false);
        }

        if (_ownsPostgres && _postgres.IsValueCreated)
        {
            await _postgres.Value.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<IConnectionMultiplexer> ConnectAsync(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.ClientName ??= "commerce-notifications";
        return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
    }
}

/// <summary>A Redis connection given with <c>WithRedis</c> (not disposed by the package).</summary>
internal sealed record NotificationsRedisRegistration(Func<IServiceProvider, Task<IConnectionMultiplexer>> Connect);

/// <summary>A PostgreSQL data source given with <c>WithPostgres</c> (not disposed by the package).</summary>
internal sealed record NotificationsPostgresRegistration(Func<IServiceProvider, NpgsqlDataSource> DataSource);
