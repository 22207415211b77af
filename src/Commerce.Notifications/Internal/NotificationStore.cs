using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Commerce.Notifications.Internal;

/// <summary>The SQL of Commerce.Notifications. Every statement that changes unread state keeps the counter in step.</summary>
internal sealed class NotificationStore(NotificationConnections connections, NotificationsOptions options)
{
    private const string Columns = "id, recipient_id, sequence, type, title, body, data::text, created_at, read_at";
    private readonly string _s = options.Schema;

    private NpgsqlDataSource Db => connections.Postgres;

    /// <summary>Queues a bulk job; with an idempotency key already used, returns that job's id instead.</summary>
    public async Task<Guid> EnqueueBulkAsync(Guid id, BulkNotificationRequest request, string[] recipients, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = Db.CreateCommand(
            $"""
            insert into {_s}.bulk_jobs (id, recipient_ids, type, title, body, data, created_at, idempotency_key)
            values ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)
            on conflict (idempotency_key) where idempotency_key is not null do nothing
            returning id
            """);
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = recipients });
        command.Parameters.Add(new() { Value = request.Type });
        command.Parameters.Add(new() { Value = request.Title });
        command.Parameters.Add(new() { Value = (object?)request.Body ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = request.Data is { } data ? data.GetRawText() : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = (object?)request.IdempotencyKey ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is Guid inserted)
        {
            return inserted;
        }

        // Queued before with this key (possibly by a concurrent call that committed while this one waited): a new
        // statement sees it.
        await using var existing = Db.CreateCommand($"select id from {_s}.bulk_jobs where idempotency_key = $1");
        existing.Parameters.Add(new() { Value = request.IdempotencyKey! });
        return (Guid)(await existing.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<BulkNotificationStatus?> GetBulkStatusAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = Db.CreateCommand($"select cardinality(recipient_ids), created, completed_at is not null from {_s}.bulk_jobs where id = $1");
        command.Parameters.Add(new() { Value = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new BulkNotificationStatus(id, reader.GetInt32(0), reader.GetInt32(1), reader.GetBoolean(2))
            : null;
    }

    /// <summary>Takes an open bulk job for <paramref name="lease"/>, or null.</summary>
    public async Task<BulkJob?> ClaimBulkJobAsync(DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = Db.CreateCommand(
            $"""
            update {_s}.bulk_jobs set locked_until = $1::timestamptz + $2
            where id = (select id from {_s}.bulk_jobs where completed_at is null and (locked_until is null or locked_until < $1)
                        order by created_at limit 1 for update skip locked)
            returning id, recipient_ids, created
            """);
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = lease });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new BulkJob(reader.GetGuid(0), reader.GetFieldValue<string[]>(1), reader.GetInt32(2))
            : null;
    }

    /// <summary>
    /// Creates the notifications of one batch of a job and advances its progress, in one transaction; does nothing if
    /// another worker advanced it meanwhile (the progress guard makes every recipient get exactly one).
    /// </summary>
    public async Task<IReadOnlyList<Notification>?> CreateBulkBatchAsync(Guid jobId, int expectedCreated, string[] batch, bool completes, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var connection = await Db.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var guard = new NpgsqlCommand($"select 1 from {_s}.bulk_jobs where id = $1 and created = $2 and completed_at is null for update", connection, transaction))
        {
            guard.Parameters.Add(new() { Value = jobId });
            guard.Parameters.Add(new() { Value = expectedCreated });
            if (await guard.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                return null;
            }
        }

        var created = new List<Notification>(batch.Length);
        await using (var insert = new NpgsqlCommand(
            $"""
            with r as (
                insert into {_s}.recipients as r (recipient_id, last_sequence, unread_count)
                select id, 1, 1 from unnest($1::text[]) as t (id) order by id
                on conflict (recipient_id) do update set last_sequence = r.last_sequence + 1, unread_count = r.unread_count + 1
                returning recipient_id, last_sequence)
            insert into {_s}.notifications (recipient_id, sequence, type, title, body, data, created_at)
            select r.recipient_id, r.last_sequence, j.type, j.title, j.body, j.data, $3 from r, {_s}.bulk_jobs j where j.id = $2
            returning {Columns}
            """, connection, transaction))
        {
            Array.Sort(batch, StringComparer.Ordinal);
            insert.Parameters.Add(new() { Value = batch });
            insert.Parameters.Add(new() { Value = jobId });
            insert.Parameters.Add(new() { Value = now });
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                created.Add(Read(reader));
            }
        }

        await using (var progress = new NpgsqlCommand(
            $"update {_s}.bulk_jobs set created = created + $2, completed_at = case when $3 then $4 end, locked_until = $4::timestamptz + $5 where id = $1",
            connection, transaction))
        {
            progress.Parameters.Add(new() { Value = jobId });
            progress.Parameters.Add(new() { Value = batch.Length });
            progress.Parameters.Add(new() { Value = completes });
            progress.Parameters.Add(new() { Value = now });
            progress.Parameters.Add(new() { Value = lease });
            await progress.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return created;
    }

    public async Task<NotificationPage> GetPageAsync(string recipientId, long? before, int limit, bool unreadOnly, CancellationToken cancellationToken)
    {
        await using var batch = Db.CreateBatch();
        var page = new NpgsqlBatchCommand(
            $"""
            select {Columns} from {_s}.notifications
            where recipient_id = $1 and ($2::bigint is null or sequence < $2) and (not $3 or read_at is null)
            order by sequence desc limit $4
            """);
        page.Parameters.Add(new() { Value = recipientId });
        page.Parameters.Add(new() { Value = (object?)before ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        page.Parameters.Add(new() { Value = unreadOnly });
        page.Parameters.Add(new() { Value = limit + 1 });
        batch.BatchCommands.Add(page);
        batch.BatchCommands.Add(UnreadCommand(recipientId));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var items = new List<Notification>(limit + 1);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(Read(reader));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var unread = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? reader.GetInt32(0) : 0;
        long? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(limit);
            next = items[^1].Sequence;
        }

        return new NotificationPage(items, unread, next);
    }

    public async Task<IReadOnlyList<Notification>> GetSinceAsync(string recipientId, long after, int limit, CancellationToken cancellationToken)
    {
        await using var command = Db.CreateCommand(
            $"select {Columns} from {_s}.notifications where recipient_id = $1 and sequence > $2 order by sequence limit $3");
        command.Parameters.Add(new() { Value = recipientId });
        command.Parameters.Add(new() { Value = after });
        command.Parameters.Add(new() { Value = limit });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var items = new List<Notification>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(Read(reader));
        }

        return items;
    }

    public async Task<int> GetUnreadCountAsync(string recipientId, CancellationToken cancellationToken)
    {
        await using var batch = Db.CreateBatch();
        batch.BatchCommands.Add(UnreadCommand(recipientId));
        return await batch.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int count ? count : 0;
    }

    /// <summary>The last sequence of each recipient (0 for one that has none).</summary>
    public async Task<Dictionary<string, long>> GetPositionsAsync(IReadOnlyCollection<string> recipients, CancellationToken cancellationToken)
    {
        await using var command = Db.CreateCommand($"select recipient_id, last_sequence from {_s}.recipients where recipient_id = any($1)");
        command.Parameters.Add(new() { Value = recipients.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var positions = recipients.ToDictionary(r => r, _ => 0L, StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            positions[reader.GetString(0)] = reader.GetInt64(1);
        }

        return positions;
    }

    public async Task<bool> MarkReadAsync(string recipientId, long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The update of the notification row takes its lock; a concurrent second mark waits, re-reads read_at and
        // matches nothing, so the counter is decremented once.
        await using var command = Db.CreateCommand(
            $"""
            with n as (
                update {_s}.notifications set read_at = $3 where id = $2 and recipient_id = $1 and read_at is null returning 1)
            update {_s}.recipients set unread_count = unread_count - (select count(*) from n)
            where recipient_id = $1 and exists (select 1 from n)
            """);
        command.Parameters.Add(new() { Value = recipientId });
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = now });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task<int> MarkAllReadAsync(string recipientId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = Db.CreateCommand(
            $"""
            with n as (
                update {_s}.notifications set read_at = $2 where recipient_id = $1 and read_at is null returning 1),
            c as (select count(*)::int as marked from n),
            r as (
                update {_s}.recipients set unread_count = unread_count - c.marked from c
                where recipient_id = $1 and c.marked > 0)
            select marked from c
            """);
        command.Parameters.Add(new() { Value = recipientId });
        command.Parameters.Add(new() { Value = now });
        return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Deletes up to <paramref name="limit"/> notifications created before <paramref name="cutoff"/>.</summary>
    public async Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        await using var command = Db.CreateCommand(
            $"""
            with d as (
                delete from {_s}.notifications where id in (
                    select id from {_s}.notifications where created_at < $1 order by id limit $2 for update skip locked)
                returning recipient_id, read_at),
            u as (
                update {_s}.recipients r set unread_count = r.unread_count - x.unread
                from (select recipient_id, count(*) filter (where read_at is null)::int as unread from d group by recipient_id) x
                where r.recipient_id = x.recipient_id and x.unread > 0)
            select count(*)::int from d
            """);
        command.Parameters.Add(new() { Value = cutoff });
        command.Parameters.Add(new() { Value = limit });
        return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<IReadOnlyList<ChannelDelivery>> ClaimDeliveriesAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken)
    {
        await using var command = Db.CreateCommand(
            $"""
            update {_s}.channel_deliveries d set locked_until = $1::timestamptz + $2, attempts = d.attempts + 1
            from {_s}.notifications n
            where n.id = d.notification_id and d.id in (
                select id from {_s}.channel_deliveries
                where status = 'pending' and next_attempt_at <= $1 and (locked_until is null or locked_until < $1)
                order by next_attempt_at limit $3 for update skip locked)
            returning d.id, d.channel, d.address, d.attempts, n.id, n.recipient_id, n.sequence, n.type, n.title, n.body, n.data::text, n.created_at, n.read_at
            """);
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = lease });
        command.Parameters.Add(new() { Value = limit });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var claimed = new List<ChannelDelivery>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            claimed.Add(new ChannelDelivery(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), Read(reader, 4)));
        }

        return claimed;
    }

    public async Task CompleteDeliveryAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = Db.CreateCommand(
            $"update {_s}.channel_deliveries set status = 'delivered', delivered_at = $2, locked_until = null, last_error = null where id = $1");
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = now });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task FailDeliveryAsync(long id, bool final, DateTimeOffset nextAttempt, string error, CancellationToken cancellationToken)
    {
        await using var command = Db.CreateCommand(
            $"update {_s}.channel_deliveries set status = case when $2 then 'failed' else 'pending' end, next_attempt_at = $3, locked_until = null, last_error = $4 where id = $1");
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = final });
        command.Parameters.Add(new() { Value = nextAttempt });
        command.Parameters.Add(new() { Value = error });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private NpgsqlBatchCommand UnreadCommand(string recipientId)
    {
        var command = new NpgsqlBatchCommand($"select unread_count from {_s}.recipients where recipient_id = $1");
        command.Parameters.Add(new() { Value = recipientId });
        return command;
    }

    internal static Notification Read(NpgsqlDataReader reader, int offset = 0) => new()
    {
        Id = reader.GetInt64(offset),
        RecipientId = reader.GetString(offset + 1),
        Sequence = reader.GetInt64(offset + 2),
        Type = reader.GetString(offset + 3),
        Title = reader.GetString(offset + 4),
        Body = reader.IsDBNull(offset + 5) ? null : reader.GetString(offset + 5),
        Data = reader.IsDBNull(offset + 6) ? null : JsonSerializer.Deserialize<JsonElement>(reader.GetString(offset + 6)),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(offset + 7),
        ReadAt = reader.IsDBNull(offset + 8) ? null : reader.GetFieldValue<DateTimeOffset>(offset + 8),
    };
}

/// <summary>A bulk job taken by this instance.</summary>
internal sealed record BulkJob(Guid Id, string[] RecipientIds, int Created);

/// <summary>An out-of-band delivery taken by this instance.</summary>
internal sealed record ChannelDelivery(long Id, string Channel, string Address, int Attempt, Notification Notification);
