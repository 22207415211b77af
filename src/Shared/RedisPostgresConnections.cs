using Npgsql;
using StackExchange.Redis;

namespace Commerce.Shared;

/// <summary>
/// A package's Redis connection and PostgreSQL data source: the ones the application gave (<c>WithRedis</c>,
/// <c>WithPostgres</c>; never disposed here) or ones made lazily from the options' connection strings (owned and
/// disposed here). Shared source: linked into each package that uses both, so the packages stay independent.
/// </summary>
internal abstract class RedisPostgresConnections : IAsyncDisposable
{
    private readonly Lazy<Task<IConnectionMultiplexer>> _redis;
    private readonly Lazy<NpgsqlDataSource> _postgres;
    private readonly bool _ownsRedis;
    private readonly bool _ownsPostgres;

    /// <param name="package">The package's name, for errors and as the Redis client name (<c>Commerce.X</c> → <c>commerce-x</c>).</param>
    /// <param name="optionsType">The options type whose connection strings are used when nothing was given.</param>
    /// <param name="redisConfiguration">The options' Redis configuration string.</param>
    /// <param name="postgresConnectionString">The options' PostgreSQL connection string.</param>
    /// <param name="services">The service provider the given factories are called with.</param>
    /// <param name="redis">The connection given with <c>WithRedis</c>, or null.</param>
    /// <param name="postgres">The data source given with <c>WithPostgres</c>, or null.</param>
    protected RedisPostgresConnections(
        string package,
        string optionsType,
        string? redisConfiguration,
        string? postgresConnectionString,
        IServiceProvider services,
        Func<IServiceProvider, Task<IConnectionMultiplexer>>? redis,
        Func<IServiceProvider, NpgsqlDataSource>? postgres)
    {
        _ownsRedis = redis is null;
        _ownsPostgres = postgres is null;
        _redis = new Lazy<Task<IConnectionMultiplexer>>(() => redis is not null
            ? redis(services)
            : ConnectAsync(redisConfiguration ?? throw new InvalidOperationException(
                $"{package} has no Redis: set {optionsType}.RedisConfiguration or call WithRedis(...)."), package));
        _postgres = new Lazy<NpgsqlDataSource>(() => postgres is not null
            ? postgres(services)
            : NpgsqlDataSource.Create(postgresConnectionString ?? throw new InvalidOperationException(
                $"{package} has no PostgreSQL: set {optionsType}.PostgresConnectionString or call WithPostgres(...).")));
    }

    /// <summary>The PostgreSQL data source.</summary>
    public NpgsqlDataSource Postgres => _postgres.Value;

    /// <summary>The Redis connection, connected on first use (it does not fail when Redis is down: it reconnects).</summary>
    protected Task<IConnectionMultiplexer> ConnectRedisAsync() => _redis.Value;

    /// <inheritdoc />
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

        GC.SuppressFinalize(this);
    }

    private static async Task<IConnectionMultiplexer> ConnectAsync(string configuration, string package)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.ClientName ??= package.Replace('.', '-').ToLowerInvariant();
        return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
    }
}
