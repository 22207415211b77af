using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Commerce.Webhooks.Internal;

/// <summary>The PostgreSQL data source, from <c>WithPostgres</c> or the options.</summary>
internal sealed class WebhooksConnections(
    IOptions<WebhooksOptions> options,
    IServiceProvider services,
    WebhooksPostgresRegistration? registration = null,
    ILoggerFactory? loggers = null) : IAsyncDisposable
{
    private readonly ILogger _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger("Commerce.Webhooks");

    private readonly Lazy<NpgsqlDataSource> _dataSource = new(() => registration is not null
        ? registration.DataSource(services)
        : NpgsqlDataSource.Create(options.Value.PostgresConnectionString ?? throw new InvalidOperationException(
            "Commerce.Webhooks has no PostgreSQL: set WebhooksOptions.PostgresConnectionString or call WithPostgres(...).")));

    public NpgsqlDataSource DataSource => _dataSource.Value;

    /// <summary>The schema, quoted for SQL.</summary>
    public string Schema { get; } = $"\"{options.Value.Schema}\"";

    /// <summary>The package's SQL, with the schema filled in.</summary>
    public WebhooksSql Sql { get; } = new(options.Value.Schema);

    /// <summary>The NOTIFY channel announcing new inbox messages.</summary>
    public string InboxChannel { get; } = options.Value.Schema + "_inbox";

    /// <summary>The NOTIFY channel announcing new outbox messages.</summary>
    public string OutboxChannel { get; } = options.Value.Schema + "_outbox";

    /// <summary>Wakes the inbox processors after messages are committed.</summary>
    public PostgresWakeupNotifier InboxNotifier => _inboxNotifier ??= new PostgresWakeupNotifier(DataSource, InboxChannel, _logger);

    /// <summary>Wakes the dispatchers after messages are accepted for sending.</summary>
    public PostgresWakeupNotifier OutboxNotifier => _outboxNotifier ??= new PostgresWakeupNotifier(DataSource, OutboxChannel, _logger);

    private PostgresWakeupNotifier? _inboxNotifier;
    private PostgresWakeupNotifier? _outboxNotifier;

    public async ValueTask DisposeAsync()
    {
        if (registration is null && _dataSource.IsValueCreated)
        {
            await _dataSource.Value.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>A data source given with <c>WithPostgres</c> (not disposed by the package).</summary>
internal sealed record WebhooksPostgresRegistration(Func<IServiceProvider, NpgsqlDataSource> DataSource);
