namespace Commerce.Testing;

/// <summary>
/// Where the test servers are. A connection string comes from an environment variable; where it is
/// unset and a Docker engine answers, a fixture starts a Testcontainers container instead. Under
/// <c>CI=true</c> a missing server fails the test; locally the test is skipped with the reason.
/// </summary>
public static class TestEnvironment
{
    /// <summary>Environment variable holding the Redis connection string.</summary>
    public const string RedisVariable = "COMMERCE_TEST_REDIS";

    /// <summary>Environment variable holding the Redis Cluster connection string (comma-separated nodes).</summary>
    public const string RedisClusterVariable = "COMMERCE_TEST_REDIS_CLUSTER";

    /// <summary>Environment variable holding the PostgreSQL connection string.</summary>
    public const string PostgresVariable = "COMMERCE_TEST_POSTGRES";

    /// <summary>True when running under CI (<c>CI=true</c>): a missing server is a failure, never a skip.</summary>
    public static bool IsCI { get; } =
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The configured Redis connection string, or null.</summary>
    public static string? Redis => Get(RedisVariable);

    /// <summary>The configured Redis Cluster connection string, or null.</summary>
    public static string? RedisCluster => Get(RedisClusterVariable);

    /// <summary>The configured PostgreSQL connection string, or null.</summary>
    public static string? Postgres => Get(PostgresVariable);

    /// <summary>True when a Docker engine looks reachable (a socket or DOCKER_HOST), so Testcontainers can run.</summary>
    public static bool DockerAvailable { get; } =
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST")) || File.Exists("/var/run/docker.sock");

    /// <summary>
    /// The reason a test needing <paramref name="servers"/> can't run here, or null when it can
    /// (or must: under CI a test is never skipped for want of a server).
    /// </summary>
    public static string? SkipReason(TestServer servers)
    {
        if (IsCI)
        {
            return null;
        }

        var missing = new List<string>();
        if (servers.HasFlag(TestServer.Redis) && Redis is null && !DockerAvailable)
        {
            missing.Add(RedisVariable);
        }

        if (servers.HasFlag(TestServer.RedisCluster) && RedisCluster is null)
        {
            missing.Add(RedisClusterVariable);
        }

        if (servers.HasFlag(TestServer.Postgres) && Postgres is null && !DockerAvailable)
        {
            missing.Add(PostgresVariable);
        }

        if (servers.HasFlag(TestServer.OwnedRedis) && RedisServerProcess.Binary is null)
        {
            missing.Add("the redis-server binary on PATH");
        }

        return missing.Count == 0
            ? null
            : $"Needs {string.Join(" and ", missing)}: run `./build.sh test` or `eval \"$(eng/services.sh start)\"` first.";
    }

    private static string? Get(string name)
    {
        var value = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }
}
