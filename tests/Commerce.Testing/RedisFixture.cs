using StackExchange.Redis;
using Testcontainers.Redis;
using Xunit;

namespace Commerce.Testing;

/// <summary>
/// A standalone Redis server shared by a test class: from <c>COMMERCE_TEST_REDIS</c>, else a
/// Testcontainers container when Docker works. Tests isolate themselves with <see cref="TestNames.Unique"/> keys.
/// </summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisContainer? _container;
    private ConnectionMultiplexer? _connection;

    /// <summary>The connection string of the server (host:port plus options).</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>A connection for the test's own checks (admin commands allowed).</summary>
    public ConnectionMultiplexer Connection =>
        _connection ?? throw new InvalidOperationException("Redis is not configured; " + TestEnvironment.SkipReason(TestServer.Redis));

    /// <summary>The database of <see cref="Connection"/>.</summary>
    public IDatabase Database => Connection.GetDatabase();

    /// <summary>The host:port endpoint of the server.</summary>
    public string EndPoint => ConfigurationOptions.Parse(ConnectionString).EndPoints[0].ToString()!.Replace("Unspecified/", "", StringComparison.Ordinal);

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var connectionString = TestEnvironment.Redis;
        if (connectionString is null)
        {
            if (TestEnvironment.DockerAvailable)
            {
                _container = new RedisBuilder("redis:7.0").Build();
                await _container.StartAsync();
                connectionString = _container.GetConnectionString();
            }
            else if (TestEnvironment.IsCI)
            {
                throw new InvalidOperationException(
                    $"CI=true but no Redis: set {TestEnvironment.RedisVariable} (eng/services.sh start prints it).");
            }
            else
            {
                return; // every test needing Redis is skipped with the reason
            }
        }

        ConnectionString = connectionString;
        var options = ConfigurationOptions.Parse(connectionString);
        options.AllowAdmin = true;
        options.AbortOnConnectFail = true;
        _connection = await ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <summary>Opens another, independent connection to the same server.</summary>
    public async Task<ConnectionMultiplexer> ConnectAsync(Action<ConfigurationOptions>? configure = null)
    {
        var options = ConfigurationOptions.Parse(ConnectionString);
        configure?.Invoke(options);
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }
}
