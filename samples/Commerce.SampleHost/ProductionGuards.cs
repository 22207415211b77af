using Npgsql;

namespace Commerce.SampleHost;

/// <summary>
/// Refuses to start the host outside Development with a secret anyone can read: the signing key or a webhook secret
/// committed in <c>appsettings.Development.json</c>, or PostgreSQL's default <c>postgres/postgres</c> password.
/// </summary>
public static class ProductionGuards
{
    /// <summary>The values committed in appsettings.Development.json (also read from the file when it is there).</summary>
    public const string DevelopmentSigningKey = "development-only-signing-key-change-me-0123456789";

    /// <summary>The development webhook secret committed in appsettings.Development.json.</summary>
    public const string DevelopmentWebhookSecret = "whsec_ZGV2ZWxvcG1lbnQtb25seS13ZWJob29rLXNlY3JldA==";

    public static void Check(IConfiguration configuration, IHostEnvironment environment)
    {
        if (environment.IsDevelopment())
        {
            return;
        }

        var committed = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(environment.ContentRootPath, "appsettings.Development.json"), optional: true)
            .Build();
        var keys = new HashSet<string>(StringComparer.Ordinal) { DevelopmentSigningKey };
        var secrets = new HashSet<string>(StringComparer.Ordinal) { DevelopmentWebhookSecret };
        if (committed["Commerce:Auth:SigningKey"] is { Length: > 0 } key)
        {
            keys.Add(key);
        }

        secrets.UnionWith(committed.GetSection("Commerce:Webhooks:Secrets").Get<string[]>() ?? []);

        var problems = new List<string>();
        if (configuration["Commerce:Auth:SigningKey"] is { } signingKey && keys.Contains(signingKey))
        {
            problems.Add("Commerce:Auth:SigningKey is the development key committed in appsettings.Development.json: anyone can mint tokens with it. Set your own (at least 32 random characters).");
        }

        if ((configuration.GetSection("Commerce:Webhooks:Secrets").Get<string[]>() ?? []).Any(secrets.Contains))
        {
            problems.Add("Commerce:Webhooks:Secrets contains the development secret committed in appsettings.Development.json: anyone can sign webhooks with it. Generate your own whsec_ secret.");
        }

        if (configuration.GetConnectionString("Postgres") is { } postgres && new NpgsqlConnectionStringBuilder(postgres).Password == "postgres")
        {
            problems.Add("ConnectionStrings:Postgres uses the default password 'postgres'. Give the database user a real password.");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"The host refuses to start in the {environment.EnvironmentName} environment:{Environment.NewLine}- " + string.Join(Environment.NewLine + "- ", problems));
        }
    }
}
