namespace Commerce.Testing;

/// <summary>The kinds of server an integration test can need.</summary>
[Flags]
public enum TestServer
{
    /// <summary>No server.</summary>
    None = 0,

    /// <summary>A standalone Redis server (<c>COMMERCE_TEST_REDIS</c>).</summary>
    Redis = 1,

    /// <summary>A Redis Cluster (<c>COMMERCE_TEST_REDIS_CLUSTER</c>).</summary>
    RedisCluster = 2,

    /// <summary>A PostgreSQL server (<c>COMMERCE_TEST_POSTGRES</c>).</summary>
    Postgres = 4,

    /// <summary>
    /// A Redis server the test starts and owns (<see cref="RedisServerProcess"/>), so it may FLUSHALL, DEBUG SLEEP,
    /// kill or restart it: needs the <c>redis-server</c> binary (eng/services.sh installs it).
    /// </summary>
    OwnedRedis = 8,
}
