using Commerce.Testing;
using Xunit;

namespace Commerce.SampleHost.Tests;

/// <summary>Two host instances on one Redis and one fresh PostgreSQL database, shared by a test class.</summary>
public sealed class SystemFixture : IAsyncLifetime
{
    private readonly RedisFixture _redis = new();
    private readonly PostgresFixture _postgres = new();

    public HostInstance A { get; private set; } = null!;

    public HostInstance B { get; private set; } = null!;

    public string Postgres { get; private set; } = "";

    public string Redis => _redis.ConnectionString;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        await _postgres.InitializeAsync();
        if (string.IsNullOrEmpty(_redis.ConnectionString) || string.IsNullOrEmpty(_postgres.ConnectionString))
        {
            return;   // the tests skip (locally) or fail (CI) through IntegrationFact
        }

        Postgres = await _postgres.CreateDatabaseAsync(TestNames.Unique("system"));
        A = await HostInstance.StartAsync(_redis.ConnectionString, Postgres);
        B = await HostInstance.StartAsync(_redis.ConnectionString, Postgres);
    }

    public async Task DisposeAsync()
    {
        if (A is not null)
        {
            await A.DisposeAsync();
        }

        if (B is not null)
        {
            await B.DisposeAsync();
        }

        await _redis.DisposeAsync();
        await _postgres.DisposeAsync();
    }
}
