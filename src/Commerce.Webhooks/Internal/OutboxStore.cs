using Npgsql;
using NpgsqlTypes;

namespace Commerce.Webhooks.Internal;

/// <summary>A claimed outbox row with its endpoint.</summary>
internal sealed record OutboxRow(long Id, Guid EndpointId, string MessageId, string Type, string? Path, byte[] Body, int Attempts, string Url, string[] Secrets, bool Enabled);

/// <summary>The endpoints and outbox tables.</summary>
internal sealed class OutboxStore(WebhooksConnections connections)
{
    private const string Columns = "id, endpoint_id, message_id, type, status, attempts, next_attempt_at, last_status, last_error, delivered_at";
    private readonly string _s = connections.Schema;

    public async Task UpsertEndpointAsync(Guid id, Uri url, string[] secrets, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(
            $"""
            insert into {_s}.endpoints (id, url, secrets) values (@id, @url, @secrets)
            on conflict (id) do update set url = excluded.url, secrets = excluded.secrets
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("url", url.ToString());
        command.Parameters.AddWithValue("secrets", secrets);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<WebhookEndpoint?> GetEndpointAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand($"select url, secrets, enabled, disabled_reason from {_s}.endpoints where id = @id");
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new WebhookEndpoint(id, new Uri(reader.GetString(0)), reader.GetFieldValue<string[]>(1), reader.GetBoolean(2), reader.IsDBNull(3) ? null : reader.GetString(3))
            : null;
    }

    public async Task SetEnabledAsync(Guid id, bool enabled, string? reason, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand($"update {_s}.endpoints set enabled = @enabled, disabled_reason = @reason where id = @id");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("enabled", enabled);
        command.Parameters.AddWithValue("reason", NpgsqlDbType.Text, (object?)reason ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores a message (once per endpoint and message id) and wakes the dispatchers.</summary>
    public async Task<OutgoingWebhook> InsertAsync(Guid endpointId, string messageId, string type, string? path, ReadOnlyMemory<byte> body, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(
                    $"""
                    insert into {_s}.outbox (endpoint_id, message_id, type, path, body, created_at, next_attempt_at)
                    values (@endpoint, @message_id, @type, @path, @body, @now, @now)
                    on conflict (endpoint_id, message_id) do nothing
                    """)
                {
                    Parameters =
                    {
                        new("endpoint", endpointId),
                        new("message_id", messageId),
                        new("type", type),
                        new("path", NpgsqlDbType.Text) { Value = (object?)path ?? DBNull.Value },
                        new("body", NpgsqlDbType.Bytea) { Value = body },
                        new("now", now),
                    },
                },
            },
        };
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            throw new InvalidOperationException($"There is no webhook endpoint {endpointId}.", e);
        }

        connections.OutboxNotifier.Wake();

        var stored = await QueryAsync("endpoint_id = @endpoint and message_id = @message_id", p =>
        {
            p.AddWithValue("endpoint", endpointId);
            p.AddWithValue("message_id", messageId);
        }, cancellationToken).ConfigureAwait(false);
        return stored.Single();
    }

    public async Task<IReadOnlyList<OutboxRow>> ClaimAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int batch, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(
            $"""
            with due as (
                select id from {_s}.outbox
                 where status = 'pending' and next_attempt_at <= @now and (locked_until is null or locked_until <= @now)
                 order by next_attempt_at, id
                 limit @batch
                 for update skip locked),
            claimed as (
                update {_s}.outbox o set locked_until = @lease_until, attempts = o.attempts + 1
                  from due where o.id = due.id
                returning o.id, o.endpoint_id, o.message_id, o.type, o.path, o.body, o.attempts)
            select c.id, c.endpoint_id, c.message_id, c.type, c.path, c.body, c.attempts, e.url, e.secrets, e.enabled
              from claimed c join {_s}.endpoints e on e.id = c.endpoint_id
             order by c.id
            """);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("lease_until", leaseUntil);
        command.Parameters.AddWithValue("batch", batch);
        var rows = new List<OutboxRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new OutboxRow(
                reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetFieldValue<byte[]>(5), reader.GetInt32(6),
                reader.GetString(7), reader.GetFieldValue<string[]>(8), reader.GetBoolean(9)));
        }

        return rows;
    }

    /// <summary>Records an attempt: delivered, retry at <paramref name="next"/>, or failed (when <paramref name="next"/> is null).</summary>
    public async Task RecordAsync(long id, bool delivered, DateTimeOffset? next, int? status, string? error, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(
            $"""
            update {_s}.outbox
               set status = case when @delivered then 'delivered' when @next is null then 'failed' else 'pending' end,
                   next_attempt_at = coalesce(@next, next_attempt_at),
                   delivered_at = case when @delivered then @now else null end,
                   locked_until = null, last_status = @status, last_error = @error
             where id = @id
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("delivered", delivered);
        command.Parameters.AddWithValue("next", NpgsqlDbType.TimestampTz, (object?)next ?? DBNull.Value);
        command.Parameters.AddWithValue("status", NpgsqlDbType.Integer, (object?)status ?? DBNull.Value);
        command.Parameters.AddWithValue("error", NpgsqlDbType.Text, (object?)error ?? DBNull.Value);
        command.Parameters.AddWithValue("now", now);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<OutgoingWebhook>> QueryAsync(string where, Action<NpgsqlParameterCollection> parameters, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand($"select {Columns} from {_s}.outbox where {where}");
        parameters(command.Parameters);
        var list = new List<OutgoingWebhook>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var status = reader.GetString(4) switch
            {
                "delivered" => OutgoingWebhookStatus.Delivered,
                "failed" => OutgoingWebhookStatus.Failed,
                _ => OutgoingWebhookStatus.Pending,
            };
            list.Add(new OutgoingWebhook(
                reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), status, reader.GetInt32(5),
                status == OutgoingWebhookStatus.Pending ? reader.GetFieldValue<DateTimeOffset>(6) : null,
                reader.IsDBNull(7) ? null : reader.GetInt32(7),
                reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9)));
        }

        return list;
    }
}
