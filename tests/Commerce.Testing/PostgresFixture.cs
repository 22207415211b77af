using Npgsql;
using Testcontainers.PostgreSql;
using Xunit;

namespace Commerce.Testing;

/// <summary>
/// A PostgreSQL server shared by a test class: from <c>COMMERCE_TEST_POSTGRES</c>, else a
/// Testcontainers container when Docker works. Tests isolate themselves with their own schema
/// (<see cref="TestNames.Unique"/>) or, when they need a whole database, <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgreSqlContainer? _container;
    private NpgsqlDataSource? _dataSource;

    /// <summary>The connection string of the test database.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>A data source for the test's own queries.</summary>
    public NpgsqlDataSource DataSource =>
        _dataSource ?? throw new InvalidOperationException("PostgreSQL is not configured; " + TestEnvironment.SkipReason(TestServer.Postgres));

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var connectionString = TestEnvironment.Postgres;
        if (connectionString is null)
        {
            if (TestEnvironment.DockerAvailable)
            {
                _container = new PostgreSqlBuilder("postgres:15").Build();
                await _container.StartAsync();
                connectionString = _container.GetConnectionString();
            }
            else if (TestEnvironment.IsCI)
            {
                throw new InvalidOperationException(
                    $"CI=true but no PostgreSQL: set {TestEnvironment.PostgresVariable} (eng/services.sh start prints it).");
            }
            else
            {
                return;
            }
        }

        ConnectionString = connectionString;
        _dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = _dataSource.CreateCommand("select 1");
        await command.ExecuteScalarAsync();
    }

    /// <summary>Creates an empty database of its own for one test and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        var database = TestNames.Unique(name);
        await using (var command = DataSource.CreateCommand($"create database \"{database}\""))
        {
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database }.ConnectionString;
    }

    /// <summary>Drops a schema created by a test (and everything in it).</summary>
    public async Task DropSchemaAsync(string schema)
    {
        await using var command = DataSource.CreateCommand($"drop schema if exists \"{schema}\" cascade");
        await command.ExecuteNonQueryAsync();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }
}
