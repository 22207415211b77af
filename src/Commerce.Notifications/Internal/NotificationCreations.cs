using Npgsql;
using NpgsqlTypes;

namespace Commerce.Notifications.Internal;

/// <summary>A notification stored by a creation, and whether this creation stored it (false: its idempotency key was used before).</summary>
internal sealed record Created(Notification Notification, bool IsNew);

/// <summary>
/// Stores groups of notifications in one statement (see <c>create_notifications.sql</c>), on a connection of its own
/// or inside an application's transaction. A request whose idempotency key its recipient already used, or used earlier
/// in the same group, is answered with that notification and stores nothing; sequences stay gapless.
/// </summary>
internal sealed class NotificationCreations(NotificationConnections connections, NotificationsOptions options)
{
    private readonly NotificationSql _sql = new(options.Schema);

    public string CreatedChannel => _sql.CreatedChannel;

    public async Task<IReadOnlyList<Created>> CreateAsync(IReadOnlyList<NotificationRequest> requests, DateTimeOffset now, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        if (transaction is not null)
        {
            return await CreateOnAsync(transaction.Connection ?? throw new InvalidOperationException("The transaction is already completed."), transaction, requests, now, cancellationToken).ConfigureAwait(false);
        }

        await using var connection = await connections.Postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await CreateOnAsync(connection, null, requests, now, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<Created>> CreateOnAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<NotificationRequest> requests, DateTimeOffset now, CancellationToken cancellationToken)
    {
        while (true)
        {
            var existing = await FindExistingAsync(connection, transaction, requests, cancellationToken).ConfigureAwait(false);
            var results = new Created?[requests.Count];
            var firstOfKey = new Dictionary<(string, string), int>();
            var toCreate = new List<int>();
            for (var i = 0; i < requests.Count; i++)
            {
                var request = requests[i];
                if (request.IdempotencyKey is { } key)
                {
                    if (existing.TryGetValue((request.RecipientId, key), out var stored))
                    {
                        results[i] = new Created(stored, IsNew: false);
                        continue;
                    }

                    if (!firstOfKey.TryAdd((request.RecipientId, key), i))
                    {
                        continue; // answered with the first copy's result below
                    }
                }

                toCreate.Add(i);
            }

            try
            {
                await InsertAsync(connection, transaction, requests, toCreate, results, now, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && requests.Count == 1)
            {
                continue; // a concurrent creation used the key meanwhile: read it and answer with it
            }

            for (var i = 0; i < requests.Count; i++)
            {
                results[i] ??= new Created(results[firstOfKey[(requests[i].RecipientId, requests[i].IdempotencyKey!)]]!.Notification, IsNew: false);
            }

            return results!;
        }
    }

    private async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<NotificationRequest> requests, List<int> toCreate, Created?[] results, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (toCreate.Count == 0)
        {
            return;
        }

        var group = toCreate.Select(i => requests[i]).ToList();
        var channelOrds = new List<long>();
        var channelNames = new List<string>();
        var channelAddresses = new List<string>();
        for (var ord = 0; ord < group.Count; ord++)
        {
            foreach (var (channel, address) in group[ord].Channels ?? new Dictionary<string, string>())
            {
                channelOrds.Add(ord + 1);
                channelNames.Add(channel);
                channelAddresses.Add(address);
            }
        }

        // Inside an application's transaction a refused insert must not abort the transaction: fence it with a savepoint.
        if (transaction is not null)
        {
            await transaction.SaveAsync("commerce_notification", cancellationToken).ConfigureAwait(false);
        }

        await using var command = new NpgsqlCommand(_sql.CreateNotifications, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter("recipients", group.Select(r => r.RecipientId).ToArray()));
        command.Parameters.Add(new NpgsqlParameter("types", group.Select(r => r.Type).ToArray()));
        command.Parameters.Add(new NpgsqlParameter("titles", group.Select(r => r.Title).ToArray()));
        command.Parameters.Add(new NpgsqlParameter("bodies", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = group.Select(r => r.Body).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("data", NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = group.Select(r => r.Data?.GetRawText()).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = group.Select(r => r.IdempotencyKey).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("channel_ords", channelOrds.ToArray()));
        command.Parameters.Add(new NpgsqlParameter("channel_names", channelNames.ToArray()));
        command.Parameters.Add(new NpgsqlParameter("channel_addresses", channelAddresses.ToArray()));
        command.Parameters.Add(new NpgsqlParameter("now", now));
        try
        {
            await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var ord = (int)reader.GetInt64(0) - 1;
                var request = group[ord];
                results[toCreate[ord]] = new Created(
                    new Notification
                    {
                        Id = reader.GetInt64(1),
                        RecipientId = request.RecipientId,
                        Sequence = reader.GetInt64(2),
                        Type = request.Type,
                        Title = request.Title,
                        Body = request.Body,
                        Data = request.Data?.Clone(),
                        CreatedAt = now,
                    },
                    IsNew: true);
            }
        }
        catch (PostgresException) when (transaction is not null)
        {
            await transaction.RollbackAsync("commerce_notification", CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<Dictionary<(string, string), Notification>> FindExistingAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<NotificationRequest> requests, CancellationToken cancellationToken)
    {
        var keyed = requests.Where(r => r.IdempotencyKey is not null).ToList();
        var found = new Dictionary<(string, string), Notification>();
        if (keyed.Count == 0)
        {
            return found;
        }

        await using var command = new NpgsqlCommand(_sql.FindByIdempotencyKey, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter("recipients", keyed.Select(r => r.RecipientId).ToArray()));
        command.Parameters.Add(new NpgsqlParameter("keys", keyed.Select(r => r.IdempotencyKey!).ToArray()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found[(reader.GetString(1), reader.GetString(9))] = NotificationStore.Read(reader);
        }

        return found;
    }
}
