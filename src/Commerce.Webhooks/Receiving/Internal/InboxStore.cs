using System.Runtime.InteropServices;
using Npgsql;
using NpgsqlTypes;

namespace Commerce.Webhooks.Internal;

/// <summary>
/// The inbox table: inserting groups of messages, claiming, renewing and recording outcomes fenced by the claim token,
/// the operator's queries, and retention. Times come from the application's TimeProvider, so tests can drive retries
/// with a fake clock.
/// </summary>
internal sealed class InboxStore(WebhooksConnections connections)
{
    private readonly WebhooksSql _sql = connections.Sql;

    /// <summary>
    /// Inserts a group of messages in one statement and one commit, each unless its (source, message id) exists (or
    /// repeats earlier in the group); returns, per message in order, its inbox id and whether this call inserted it.
    /// </summary>
    public async Task<IReadOnlyList<(long Id, bool Inserted)>> InsertAsync(IReadOnlyList<IncomingMessage> messages, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var sources = new string[messages.Count];
        var ids = new string[messages.Count];
        var bodies = new byte[messages.Count][];
        for (var i = 0; i < messages.Count; i++)
        {
            sources[i] = messages[i].Source;
            ids[i] = messages[i].MessageId;
            bodies[i] = MemoryMarshal.TryGetArray(messages[i].Body, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
                ? segment.Array
                : messages[i].Body.ToArray();
        }

        await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var inserted = new Dictionary<(string, string), long>();
        await using (var insert = new NpgsqlCommand(_sql.InboxInsert, connection))
        {
            insert.Parameters.Add(new NpgsqlParameter("sources", sources));
            insert.Parameters.Add(new NpgsqlParameter("message_ids", ids));
            insert.Parameters.Add(new NpgsqlParameter("types", messages.Select(m => m.Type).ToArray()));
            insert.Parameters.Add(new NpgsqlParameter("event_timestamps", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = messages.Select(m => m.EventTimestamp?.ToUniversalTime()).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("headers", NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = messages.Select(m => m.HeadersJson).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("bodies", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = bodies });
            insert.Parameters.Add(new NpgsqlParameter("locked_until", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = messages.Select(m => m.LockedUntil?.ToUniversalTime()).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("claim_tokens", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = messages.Select(m => m.ClaimToken).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("now", now.ToUniversalTime()));
            await insert.PrepareAsync(cancellationToken).ConfigureAwait(false); // planned once per connection, not per group
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                inserted[(reader.GetString(1), reader.GetString(2))] = reader.GetInt64(0);
            }
        }

        // Duplicates (of stored messages, or of a copy earlier in the group): their ids, read after the insert's commit,
        // so a copy a concurrent group committed meanwhile is found too. Most groups have none and skip this.
        var existing = new Dictionary<(string, string), long>();
        if (inserted.Count < messages.Count)
        {
            await using var find = new NpgsqlCommand(_sql.InboxFindIds, connection);
            find.Parameters.Add(new NpgsqlParameter("sources", sources));
            find.Parameters.Add(new NpgsqlParameter("message_ids", ids));
            await using var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                existing[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
            }
        }

        // The first copy of a message in the group is the one inserted; later copies are duplicates of it.
        var results = new (long, bool)[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            var key = (sources[i], ids[i]);
            results[i] = inserted.Remove(key, out var id) ? (id, true) : (existing[key], false);
        }

        return results;
    }

    /// <summary>
    /// Claims, of the first <paramref name="limit"/> due messages, those of the <paramref name="batched"/> handlers and
    /// at most <paramref name="singleLimit"/> others, under <paramref name="token"/>, except those of the batch handlers in
    /// <paramref name="skip"/> (running all the batches they may); parks the ones claimed too often without an outcome.
    /// </summary>
    public async Task<(IReadOnlyList<InboxRow> Claimed, IReadOnlyList<InboxRow> Parked)> ClaimAsync(
        DateTimeOffset now, DateTimeOffset leaseUntil, Guid token, int limit, int singleLimit, int maxAttempts,
        IReadOnlyList<BatchHandlerRegistration> batched, IReadOnlyList<BatchHandlerRegistration> skip, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(_sql.InboxClaim);
        command.Parameters.Add(new NpgsqlParameter("batch_types", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batched.Select(s => s.Type).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("batch_sources", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batched.Select(s => s.Source).ToArray() });
        command.Parameters.AddWithValue("single_limit", singleLimit);
        command.Parameters.Add(new NpgsqlParameter("skip_types", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = skip.Select(s => s.Type).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("skip_sources", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = skip.Select(s => s.Source).ToArray() });
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("lease_until", leaseUntil);
        command.Parameters.AddWithValue("token", token);
        command.Parameters.AddWithValue("limit", limit);
        command.Parameters.AddWithValue("max_attempts", maxAttempts);
        var claimed = new List<InboxRow>();
        var parked = new List<InboxRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = new InboxRow(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                reader.GetFieldValue<DateTimeOffset>(5), reader.GetInt32(6), reader.GetFieldValue<byte[]>(7), reader.GetString(8), token);
            (reader.GetString(9) == "dead" ? parked : claimed).Add(row);
        }

        return (claimed, parked);
    }

    /// <summary>Extends the lease of the held messages; returns the ids still held under their claim tokens.</summary>
    public async Task<HashSet<long>> RenewAsync(IReadOnlyList<(long Id, Guid Token)> held, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(_sql.InboxRenew);
        command.Parameters.AddWithValue("ids", held.Select(h => h.Id).ToArray());
        command.Parameters.AddWithValue("tokens", held.Select(h => h.Token).ToArray());
        command.Parameters.AddWithValue("lease_until", leaseUntil);
        var stillHeld = new HashSet<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            stillHeld.Add(reader.GetInt64(0));
        }

        return stillHeld;
    }

    /// <summary>Records outcomes, each fenced by its claim token; returns the ids written (a lost claim writes nothing).</summary>
    public async Task<HashSet<long>> RecordAsync(IReadOnlyList<InboxOutcome> outcomes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(_sql.InboxRecord);
        command.Parameters.AddWithValue("ids", outcomes.Select(o => o.Id).ToArray());
        command.Parameters.AddWithValue("tokens", outcomes.Select(o => o.ClaimToken).ToArray());
        command.Parameters.AddWithValue("statuses", outcomes.Select(o => o.Status switch
        {
            InboxMessageStatus.Processed => "processed",
            InboxMessageStatus.Dead => "dead",
            _ => "pending",
        }).ToArray());
        command.Parameters.Add(new NpgsqlParameter("next_attempts", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = outcomes.Select(o => o.NextAttemptAt?.ToUniversalTime()).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("errors", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = outcomes.Select(o => o.Error is { Length: > 4000 } e ? e[..4000] : o.Error).ToArray() });
        command.Parameters.AddWithValue("now", now);
        var written = new HashSet<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            written.Add(reader.GetInt64(0));
        }

        return written;
    }

    /// <summary>Gives claimed messages back at once; <paramref name="uncount"/>: without counting the claim as an attempt.</summary>
    public async Task ReleaseAsync(IReadOnlyCollection<long> ids, Guid token, bool uncount, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(_sql.InboxRelease);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        command.Parameters.AddWithValue("token", token);
        command.Parameters.AddWithValue("uncount", uncount);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<InboxMessage?> GetAsync(long id, CancellationToken cancellationToken) =>
        (await SelectAsync(" where id = @id", cancellationToken, new NpgsqlParameter("id", id)).ConfigureAwait(false)).SingleOrDefault();

    public async Task<InboxMessage?> FindAsync(string source, string messageId, CancellationToken cancellationToken) =>
        (await SelectAsync(" where source = @source and message_id = @message_id", cancellationToken,
            new NpgsqlParameter("source", source), new NpgsqlParameter("message_id", messageId)).ConfigureAwait(false)).SingleOrDefault();

    public Task<IReadOnlyList<InboxMessage>> GetDeadAsync(int limit, CancellationToken cancellationToken) =>
        SelectAsync(" where status = 'dead' order by id limit @limit", cancellationToken, new NpgsqlParameter("limit", limit));

    public async Task<bool> ReplayAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(_sql.InboxReplay);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("now", now);
        var replayed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        connections.InboxNotifier.Wake();
        return replayed;
    }

    /// <summary>One bounded step of retention: bodies of messages processed before <paramref name="bodyCutoff"/>, rows before <paramref name="rowCutoff"/>.</summary>
    public async Task<(long Bodies, long Rows)> PurgeAsync(DateTimeOffset now, DateTimeOffset bodyCutoff, DateTimeOffset rowCutoff, int limit, CancellationToken cancellationToken)
    {
        await using var batch = connections.DataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(_sql.InboxPurgeRows) { Parameters = { new("cutoff", rowCutoff), new("limit", limit) } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(_sql.InboxPurgeBodies) { Parameters = { new("cutoff", bodyCutoff), new("limit", limit), new("now", now) } });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var rows = reader.GetInt64(0);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetInt64(0), rows);
    }

    private async Task<IReadOnlyList<InboxMessage>> SelectAsync(string filter, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = connections.DataSource.CreateCommand(_sql.InboxSelect + filter);
        command.Parameters.AddRange(parameters);
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
}
