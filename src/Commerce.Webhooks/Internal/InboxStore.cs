using Npgsql;
using NpgsqlTypes;

namespace Commerce.Webhooks.Internal;

/// <summary>A claimed inbox row.</summary>
internal sealed record InboxRow(long Id, string Source, string MessageId, string Type, DateTimeOffset? EventTimestamp, DateTimeOffset ReceivedAt, int Attempts, byte[] Body);

/// <summary>The inbox table. Times come from the application's TimeProvider, so tests can drive retries with a fake clock.</summary>
internal sealed class InboxStore(WebhooksConnections connections)
{
    private readonly string _s = connections.Schema;

    /// <summary>
    /// Inserts a message unless (source, message id) exists, then wakes the processors (after the commit, coalesced).
    /// Concurrent copies of one message insert it once; the others find the existing row.
    /// </summary>
    public async Task<(long Id, bool Inserted)> InsertAsync(
        string source,
        string messageId,
        string type,
        DateTimeOffset? eventTimestamp,
        string headersJson,
        ReadOnlyMemory<byte> body,
        DateTimeOffset now,
        DateTimeOffset? lockedUntil,
        CancellationToken cancellationToken)
    {
        return await RunAsync(async () =>
        {
            await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var batch = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand(
                        $"""
                        insert into {_s}.inbox (source, message_id, type, event_timestamp, headers, body, received_at, next_attempt_at, locked_until, attempts)
                        values (@source, @message_id, @type, @event_timestamp, @headers, @body, @now, @now, @locked_until, case when @locked_until is null then 0 else 1 end)
                        on conflict (source, message_id) do nothing
                        returning id
                        """)
                    {
                        Parameters =
                        {
                            new("source", source),
                            new("message_id", messageId),
                            new("type", type),
                            new("event_timestamp", NpgsqlDbType.TimestampTz) { Value = (object?)eventTimestamp?.ToUniversalTime() ?? DBNull.Value },
                            new("headers", NpgsqlDbType.Jsonb) { Value = headersJson },
                            new("body", NpgsqlDbType.Bytea) { Value = body },
                            new("now", now.ToUniversalTime()),
                            new("locked_until", NpgsqlDbType.TimestampTz) { Value = (object?)lockedUntil?.ToUniversalTime() ?? DBNull.Value },
                        },
                    },
                },
            };
            var inserted = await batch.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            if (inserted is long id)
            {
                connections.InboxNotifier.Wake();
                return (id, true);
            }

            // A duplicate; its row may have been committed by a concurrent request after this statement's snapshot.
            await using var find = new NpgsqlCommand($"select id from {_s}.inbox where source = @source and message_id = @message_id", connection);
            find.Parameters.AddWithValue("source", source);
            find.Parameters.AddWithValue("message_id", messageId);
            return ((long)(await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!, false);
        }).ConfigureAwait(false);
    }

    /// <summary>Claims up to <paramref name="batch"/> due messages for this processor until <paramref name="leaseUntil"/>.</summary>
    public async Task<IReadOnlyList<InboxRow>> ClaimAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int batch, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(
            $"""
            update {_s}.inbox i set locked_until = @lease_until, attempts = i.attempts + 1
              from (select id from {_s}.inbox
                     where status = 'pending' and next_attempt_at <= @now and (locked_until is null or locked_until <= @now)
                     order by next_attempt_at, id
                     limit @batch
                     for update skip locked) due
             where i.id = due.id
            returning i.id, i.source, i.message_id, i.type, i.event_timestamp, i.received_at, i.attempts, i.body
            """);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("lease_until", leaseUntil);
        command.Parameters.AddWithValue("batch", batch);
        var rows = new List<InboxRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new InboxRow(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                reader.GetFieldValue<DateTimeOffset>(5),
                reader.GetInt32(6),
                reader.GetFieldValue<byte[]>(7)));
        }

        rows.Sort((a, b) => a.Id.CompareTo(b.Id));
        return rows;
    }

    /// <summary>Reads one row to process inline, right after receiving it.</summary>
    public async Task<InboxRow> ReadAsync(long id, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(
            $"select id, source, message_id, type, event_timestamp, received_at, attempts, body from {_s}.inbox where id = @id");
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new InboxRow(
            reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
            reader.GetFieldValue<DateTimeOffset>(5), reader.GetInt32(6), reader.GetFieldValue<byte[]>(7));
    }

    public async Task CompleteAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(
            $"update {_s}.inbox set status = 'processed', processed_at = @now, locked_until = null, last_error = null where id = @id and status = 'pending'");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("now", now);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records a failure: the next attempt at <paramref name="next"/>, or dead.</summary>
    public async Task FailAsync(long id, bool dead, DateTimeOffset next, string error, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(
            $"""
            update {_s}.inbox
               set status = case when @dead then 'dead' else 'pending' end,
                   next_attempt_at = @next, locked_until = null, last_error = @error
             where id = @id and status = 'pending'
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("dead", dead);
        command.Parameters.AddWithValue("next", next);
        command.Parameters.AddWithValue("error", error.Length > 4000 ? error[..4000] : error);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<InboxMessage>> QueryAsync(string where, Action<NpgsqlParameterCollection> parameters, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(
            $"select id, source, message_id, type, status, attempts, received_at, next_attempt_at, processed_at, last_error from {_s}.inbox where {where}");
        parameters(command.Parameters);
        var messages = new List<InboxMessage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var status = reader.GetString(4) switch
            {
                "processed" => InboxMessageStatus.Processed,
                "dead" => InboxMessageStatus.Dead,
                _ => InboxMessageStatus.Pending,
            };
            messages.Add(new InboxMessage(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), status, reader.GetInt32(5),
                reader.GetFieldValue<DateTimeOffset>(6),
                status == InboxMessageStatus.Pending ? reader.GetFieldValue<DateTimeOffset>(7) : null,
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                reader.IsDBNull(9) ? null : reader.GetString(9)));
        }

        return messages;
    }

    public async Task<bool> ReplayAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var batch = connections.DataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"update {_s}.inbox set status = 'pending', attempts = 0, next_attempt_at = @now, locked_until = null where id = @id and status = 'dead'")
        {
            Parameters = { new("id", id), new("now", now) },
        });
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        connections.InboxNotifier.Wake();
        return batch.BatchCommands[0].RecordsAffected == 1;
    }

    private static async Task<T> RunAsync<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw new WebhooksUnavailableException("PostgreSQL failed; the webhook was not stored: " + e.Message, e);
        }
    }
}
