using System.Reflection;
using System.Text.RegularExpressions;
using Npgsql;

namespace Commerce.Shared;

/// <summary>
/// Applies the versioned SQL migrations a package embeds (<c>Internal/Migrations/NNNN_name.sql</c>) to its schema.
/// Shared source: linked into each package that owns PostgreSQL tables, so the packages stay independent.
/// All pending migrations run in one transaction under a transaction-scoped advisory lock, so host instances
/// starting together apply each migration once. No statement has a command timeout: an instance waits for the others'
/// migrations, and a migration may rewrite a big table (the cancellation token still stops it).
/// <c>{schema}</c> in the SQL is replaced by the quoted schema name.
/// </summary>
internal static partial class PostgresMigrator
{
    /// <summary>Applies what is pending; returns the versions applied now.</summary>
    public static async Task<IReadOnlyList<int>> ApplyAsync(
        NpgsqlDataSource dataSource,
        string schema,
        Assembly assembly,
        CancellationToken cancellationToken)
    {
        EnsureIdentifier(schema);
        var migrations = Discover(assembly);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        NpgsqlCommand Command(string sql) => new(sql, connection, transaction) { CommandTimeout = 0 };

        await using (var command = Command("select pg_advisory_xact_lock(hashtextextended('commerce.migrations', 0))"))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var command = Command(
            $"""
            create schema if not exists "{schema}";
            create table if not exists "{schema}".schema_migrations (
                version int primary key,
                name text not null,
                applied_at timestamptz not null default now());
            """))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var applied = new HashSet<int>();
        await using (var command = Command($"select version from \"{schema}\".schema_migrations"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        var now = new List<int>();
        foreach (var (version, name, resource) in migrations)
        {
            if (applied.Contains(version))
            {
                continue;
            }

            string sql;
            await using (var stream = assembly.GetManifestResourceStream(resource)!)
            using (var reader = new StreamReader(stream))
            {
                sql = (await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false)).Replace("{schema}", $"\"{schema}\"", StringComparison.Ordinal);
            }

            await using (var command = Command(sql))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var command = Command($"insert into \"{schema}\".schema_migrations (version, name) values (@version, @name)"))
            {
                command.Parameters.AddWithValue("version", version);
                command.Parameters.AddWithValue("name", name);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            now.Add(version);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return now;
    }

    /// <summary>Throws unless <paramref name="schema"/> is a plain lower-case PostgreSQL identifier.</summary>
    public static void EnsureIdentifier(string schema)
    {
        if (!Identifier().IsMatch(schema))
        {
            throw new ArgumentException($"'{schema}' is not a valid schema name: use lower-case letters, digits and '_' (at most 63, starting with a letter or '_').", nameof(schema));
        }
    }

    private static List<(int Version, string Name, string Resource)> Discover(Assembly assembly)
    {
        var found = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = MigrationName().Match(resource);
            if (match.Success)
            {
                found.Add((int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups[2].Value, resource));
            }
        }

        found.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return found;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"Migrations\.(\d{4})_([A-Za-z0-9_]+)\.sql$")]
    private static partial Regex MigrationName();
}
