using StackExchange.Redis;
using Xunit;

namespace Commerce.Testing;

/// <summary>
/// A Redis Cluster shared by a test class, from <c>COMMERCE_TEST_REDIS_CLUSTER</c>
/// (eng/services.sh starts a local 3-primary cluster). There is no container fallback.
/// </summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    private ConnectionMultiplexer? _connection;

    /// <summary>The connection string naming the cluster's nodes.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>A connection to the cluster for the test's own checks.</summary>
    public ConnectionMultiplexer Connection =>
        _connection ?? throw new InvalidOperationException("Redis Cluster is not configured; " + TestEnvironment.SkipReason(TestServer.RedisCluster));

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var connectionString = TestEnvironment.RedisCluster;
        if (connectionString is null)
        {
            if (TestEnvironment.IsCI)
            {
                throw new InvalidOperationException(
                    $"CI=true but no Redis Cluster: set {TestEnvironment.RedisClusterVariable} (eng/services.sh start prints it).");
            }

            return;
        }

        ConnectionString = connectionString;
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = true;
        _connection = await ConnectionMultiplexer.ConnectAsync(options);
        var nodes = _connection.GetServers();
        if (!nodes.Any(s => s.ServerType == ServerType.Cluster))
        {
            throw new InvalidOperationException($"{TestEnvironment.RedisClusterVariable} does not point at a Redis Cluster.");
        }
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}
