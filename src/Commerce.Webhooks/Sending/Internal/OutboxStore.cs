using Npgsql;
using NpgsqlTypes;

namespace Commerce.Webhooks.Internal;

/// <summary>A claimed outbox row with its endpoint's URL and secrets.</summary>
internal sealed record OutboxRow(long Id, Guid EndpointId, string MessageId, string Type, string? Path, byte[] Body, int Attempts, string Url, string[] Secrets, Guid ClaimToken);

/// <summary>The result of one delivery attempt, to record.</summary>
internal sealed record DeliveryRecord(
    long Id, Guid ClaimToken, int Attempt, bool Delivered, DateTimeOffset? Next, int? Status, string? Error,
    DateTimeOffset AttemptedAt, TimeSpan Duration, string? Excerpt);

/// <summary>
/// The outbox and its attempt log: storing messages (alone, inside an application's transaction, or fanned out to
/// subscribed endpoints), claiming, recording attempts fenced by the claim token, the operator's queries, resend,
/// recovery and retention.
/// </summary>
internal sealed class OutboxStore(WebhooksConnections connections)
{
    private readonly WebhooksSql _sql = connections.Sql;

    /// <summary>
    /// Stores a message (once per endpoint and message id), inside <paramref name="transaction"/> when given; returns it
    /// as stored, or null when the endpoint does not exist.
    /// </summary>
    public async Task<OutgoingWebhook?> InsertAsync(Guid endpointId, string messageId, string type, string? path, ReadOnlyMemory<byte> body, DateTimeOffset now, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        return await OnConnectionAsync(transaction, async (connection, tx) =>
        {
            await using var insert = new NpgsqlCommand(_sql.OutboxInsert, connection, tx);
            insert.Parameters.AddWithValue("endpoint", endpointId);
            insert.Parameters.AddWithValue("message_id", messageId);
            insert.Parameters.AddWithValue("type", type);
            insert.Parameters.Add(new NpgsqlParameter("path", NpgsqlDbType.Text) { Value = (object?)path ?? DBNull.Value });
            insert.Parameters.Add(new NpgsqlParameter("body", NpgsqlDbType.Bytea) { Value = body });
            insert.Parameters.AddWithValue("now", now);
            if (await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long)
            {
                await WakeAsync(connection, tx, cancellationToken).ConfigureAwait(false);
            }

            return (await SelectAsync(connection, tx, " where endpoint_id = @endpoint and message_id = @message_id", cancellationToken,
                new NpgsqlParameter("endpoint", endpointId), new NpgsqlParameter("message_id", messageId)).ConfigureAwait(false)).SingleOrDefault();
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores one message per endpoint that receives <paramref name="type"/> (disabled ones too); returns them.</summary>
    public async Task<IReadOnlyList<OutgoingWebhook>> PublishAsync(string messageId, string type, ReadOnlyMemory<byte> body, DateTimeOffset now, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        return await OnConnectionAsync(transaction, async (connection, tx) =>
        {
            await using var insert = new NpgsqlCommand(_sql.OutboxPublish, connection, tx);
            insert.Parameters.AddWithValue("message_id", messageId);
            insert.Parameters.AddWithValue("type", type);
            insert.Parameters.Add(new NpgsqlParameter("body", NpgsqlDbType.Bytea) { Value = body });
            insert.Parameters.AddWithValue("now", now);
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0)
            {
                await WakeAsync(connection, tx, cancellationToken).ConfigureAwait(false);
            }

            return await SelectAsync(connection, tx, " where message_id = @message_id and type = @type order by endpoint_id", cancellationToken,
                new NpgsqlParameter("message_id", messageId), new NpgsqlParameter("type", type)).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Claims due messages under <paramref name="token"/>, per endpoint no more than its free slots.</summary>
    public async Task<IReadOnlyList<OutboxRow>> ClaimAsync(
        DateTimeOffset now, DateTimeOffset leaseUntil, Guid token, int limit, int perEndpoint, IReadOnlyDictionary<Guid, int> busy, IReadOnlyCollection<long> exclude, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(_sql.OutboxClaim);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("lease_until", leaseUntil);
        command.Parameters.AddWithValue("token", token);
        command.Parameters.AddWithValue("limit", limit);
        command.Parameters.AddWithValue("per_endpoint", perEndpoint);
        command.Parameters.AddWithValue("busy_ids", busy.Keys.ToArray());
        command.Parameters.AddWithValue("busy_free", busy.Values.ToArray());
        command.Parameters.AddWithValue("exclude", exclude.ToArray());
        var rows = new List<OutboxRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new OutboxRow(
                reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetFieldValue<byte[]>(5), reader.GetInt32(6),
                reader.GetString(7), reader.GetFieldValue<string[]>(8), token));
        }

        return rows;
    }

    /// <summary>Logs an attempt and records its outcome on the message, fenced; returns false when another dispatcher holds it now.</summary>
    public async Task<bool> RecordAsync(DeliveryRecord record, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(_sql.OutboxRecord);
        command.Parameters.AddWithValue("id", record.Id);
        command.Parameters.AddWithValue("token", record.ClaimToken);
        command.Parameters.AddWithValue("attempt", record.Attempt);
        command.Parameters.AddWithValue("delivered", record.Delivered);
        command.Parameters.Add(new NpgsqlParameter("next", NpgsqlDbType.TimestampTz) { Value = (object?)record.Next ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("status", NpgsqlDbType.Integer) { Value = (object?)record.Status ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = (object?)record.Error ?? DBNull.Value });
        command.Parameters.AddWithValue("attempted_at", record.AttemptedAt);
        command.Parameters.AddWithValue("duration_ms", record.Duration.TotalMilliseconds);
        command.Parameters.Add(new NpgsqlParameter("excerpt", NpgsqlDbType.Text) { Value = (object?)record.Excerpt ?? DBNull.Value });
        command.Parameters.AddWithValue("now", now);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == 1;
    }

    public async Task<OutgoingWebhook?> GetAsync(long id, CancellationToken cancellationToken) =>
        (await SelectAsync(" where id = @id", cancellationToken, new NpgsqlParameter("id", id)).ConfigureAwait(false)).SingleOrDefault();

    public async Task<OutgoingWebhook?> FindAsync(Guid endpointId, string messageId, CancellationToken cancellationToken) =>
        (await SelectAsync(" where endpoint_id = @endpoint and message_id = @message_id", cancellationToken,
            new NpgsqlParameter("endpoint", endpointId), new NpgsqlParameter("message_id", messageId)).ConfigureAwait(false)).SingleOrDefault();

    public Task<IReadOnlyList<OutgoingWebhook>> ListAsync(Guid endpointId, string? status, int limit, CancellationToken cancellationToken) =>
        SelectAsync(" where endpoint_id = @endpoint and (@status::text is null or status = @status) order by created_at desc, id desc limit @limit", cancellationToken,
            new NpgsqlParameter("endpoint", endpointId), new NpgsqlParameter("status", NpgsqlDbType.Text) { Value = (object?)status ?? DBNull.Value }, new NpgsqlParameter("limit", limit));

    public async Task<IReadOnlyList<WebhookAttempt>> GetAttemptsAsync(long id, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(_sql.AttemptsSelect);
        command.Parameters.AddWithValue("id", id);
        var attempts = new List<WebhookAttempt>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            attempts.Add(new WebhookAttempt(
                reader.GetInt32(0), reader.GetFieldValue<DateTimeOffset>(1), reader.IsDBNull(2) ? null : reader.GetInt32(2),
                TimeSpan.FromMilliseconds(reader.GetDouble(3)), reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return attempts;
    }

    public async Task<bool> ResendAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(_sql.OutboxResend);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("now", now);
        var resent = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        connections.OutboxNotifier.Wake();
        return resent;
    }

    public async Task<int> RecoverAsync(Guid endpointId, DateTimeOffset since, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(_sql.OutboxRecover);
        command.Parameters.AddWithValue("endpoint", endpointId);
        command.Parameters.AddWithValue("since", since);
        command.Parameters.AddWithValue("now", now);
        var recovered = (int)(long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        connections.OutboxNotifier.Wake();
        return recovered;
    }

    /// <summary>One bounded step of retention; returns how many messages were deleted.</summary>
    public async Task<long> PurgeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(_sql.OutboxPurge);
        command.Parameters.AddWithValue("cutoff", cutoff);
        command.Parameters.AddWithValue("limit", limit);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private async Task<T> OnConnectionAsync<T>(NpgsqlTransaction? transaction, Func<NpgsqlConnection, NpgsqlTransaction?, Task<T>> operation, CancellationToken cancellationToken)
    {
        if (transaction is not null)
        {
            return await operation(transaction.Connection ?? throw new InvalidOperationException("The transaction is already completed."), transaction).ConfigureAwait(false);
        }

        await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await operation(connection, null).ConfigureAwait(false);
    }

    /// <summary>NOTIFY the dispatchers: inside the application's transaction PostgreSQL delivers it at commit, never on rollback.</summary>
    private async Task WakeAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        if (transaction is null)
        {
            connections.OutboxNotifier.Wake();
            return;
        }

        await using var notify = new NpgsqlCommand("select pg_notify(@channel, '')", connection, transaction);
        notify.Parameters.AddWithValue("channel", connections.OutboxChannel);
        await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<OutgoingWebhook>> SelectAsync(string filter, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await SelectAsync(connection, null, filter, cancellationToken, parameters).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<OutgoingWebhook>> SelectAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string filter, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = new NpgsqlCommand(_sql.OutboxSelect + filter, connection, transaction);
        command.Parameters.AddRange(parameters);
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
                reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9),
                reader.GetFieldValue<DateTimeOffset>(10)));
        }

        return list;
    }
}
