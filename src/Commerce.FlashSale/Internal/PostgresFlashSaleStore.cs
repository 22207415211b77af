using Npgsql;
using NpgsqlTypes;

namespace Commerce.FlashSale.Internal;

/// <summary>The PostgreSQL side: sale definitions written synchronously, reservations written by the journal worker.</summary>
internal sealed class PostgresFlashSaleStore(FlashSaleConnections connections, FlashSaleOptions options)
{
    private readonly string _s = $"\"{options.Schema}\"";

    /// <summary>Inserts a sale and its items; returns the stored definition when a sale with this id already exists.</summary>
    public async Task<FlashSaleDefinition?> InsertSaleAsync(Guid id, FlashSaleDefinition definition, CancellationToken cancellationToken)
    {
        return await RunAsync(async () =>
        {
            await using var connection = await connections.Postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var insert = new NpgsqlCommand(
                $"insert into {_s}.sales (id, shop_id, name, starts_at, ends_at) values (@id, @shop, @name, @starts, @ends) on conflict (id) do nothing",
                connection,
                transaction))
            {
                insert.Parameters.AddWithValue("id", id);
                insert.Parameters.AddWithValue("shop", definition.ShopId);
                insert.Parameters.AddWithValue("name", definition.Name);
                insert.Parameters.AddWithValue("starts", definition.StartsAt.ToUniversalTime());
                insert.Parameters.AddWithValue("ends", definition.EndsAt.ToUniversalTime());
                if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    return (await LoadAsync(id, cancellationToken).ConfigureAwait(false))?.Definition;
                }
            }

            await InsertItemsAsync(connection, transaction, id, definition.Items, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }).ConfigureAwait(false);
    }

    public async Task UpdateSaleAsync(Guid id, FlashSaleDefinition definition, CancellationToken cancellationToken)
    {
        await RunAsync(async () =>
        {
            await using var connection = await connections.Postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var update = new NpgsqlCommand(
                $"""
                update {_s}.sales set name = @name, starts_at = @starts, ends_at = @ends, updated_at = now() where id = @id;
                delete from {_s}.sale_items where sale_id = @id;
                """,
                connection,
                transaction))
            {
                update.Parameters.AddWithValue("id", id);
                update.Parameters.AddWithValue("name", definition.Name);
                update.Parameters.AddWithValue("starts", definition.StartsAt.ToUniversalTime());
                update.Parameters.AddWithValue("ends", definition.EndsAt.ToUniversalTime());
                await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await InsertItemsAsync(connection, transaction, id, definition.Items, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }).ConfigureAwait(false);
    }

    public async Task CancelSaleAsync(Guid id, CancellationToken cancellationToken)
    {
        await RunAsync(async () =>
        {
            await using var command = connections.Postgres.CreateCommand(
                $"update {_s}.sales set cancelled_at = coalesce(cancelled_at, now()), updated_at = now() where id = @id");
            command.Parameters.AddWithValue("id", id);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    public async Task<string?> GetShopIdAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = connections.Postgres.CreateCommand($"select shop_id from {_s}.sales where id = @id");
        command.Parameters.AddWithValue("id", id);
        return (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies journal entries in one transaction. Idempotent and safe out of order: a row is written only when its
    /// version is newer than the stored one. The trigger keeps the item counters, and the check constraints reject any
    /// state where confirmed units exceed stock.
    /// </summary>
    public async Task UpsertReservationsAsync(Guid saleId, IReadOnlyList<JournalEntry> entries, CancellationToken cancellationToken)
    {
        // One row per reservation (its newest version): an upsert may not touch the same row twice.
        var latest = entries
            .GroupBy(e => e.ReservationId, StringComparer.Ordinal)
            .Select(g => g.MaxBy(e => e.Version)!)
            .ToArray();
        await using var connection = await connections.Postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(
            $"""
            insert into {_s}.reservations (sale_id, id, product_id, user_id, quantity, state, version, created_at, expires_at, updated_at)
            select @sale, r.id, r.product_id, r.user_id, r.quantity, r.state, r.version, r.created_at, r.expires_at, r.updated_at
              from unnest(@ids, @products, @users, @quantities, @states, @versions, @created, @expires, @updated)
                   as r(id, product_id, user_id, quantity, state, version, created_at, expires_at, updated_at)
            on conflict (sale_id, id) do update
               set state = excluded.state, version = excluded.version, updated_at = excluded.updated_at
             where {_s}.reservations.version < excluded.version
            """,
            connection,
            transaction))
        {
            command.Parameters.AddWithValue("sale", saleId);
            command.Parameters.Add(new NpgsqlParameter<string[]>("ids", latest.Select(e => e.ReservationId).ToArray()));
            command.Parameters.Add(new NpgsqlParameter<string[]>("products", latest.Select(e => e.ProductId).ToArray()));
            command.Parameters.Add(new NpgsqlParameter<string[]>("users", latest.Select(e => e.UserId).ToArray()));
            command.Parameters.Add(new NpgsqlParameter<int[]>("quantities", latest.Select(e => e.Quantity).ToArray()));
            command.Parameters.Add(new NpgsqlParameter<string[]>("states", latest.Select(e => StateName(e.State)).ToArray()));
            command.Parameters.Add(new NpgsqlParameter<int[]>("versions", latest.Select(e => e.Version).ToArray()));
            command.Parameters.Add(new NpgsqlParameter<DateTime[]>("created", latest.Select(e => e.CreatedAt.UtcDateTime).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter<DateTime[]>("expires", latest.Select(e => e.ExpiresAt.UtcDateTime).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter<DateTime[]>("updated", latest.Select(e => e.OccurredAt.UtcDateTime).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Everything PostgreSQL knows of a sale, or null.</summary>
    public async Task<StoredSale?> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await connections.Postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"select shop_id, name, starts_at, ends_at, cancelled_at from {_s}.sales where id = @id") { Parameters = { new("id", id) } },
                new NpgsqlBatchCommand($"select product_id, stock, price, per_user_limit, reserved_units, confirmed_units from {_s}.sale_items where sale_id = @id order by product_id") { Parameters = { new("id", id) } },
                new NpgsqlBatchCommand($"select id, user_id, product_id, quantity, state, version, created_at, expires_at from {_s}.reservations where sale_id = @id") { Parameters = { new("id", id) } },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var shop = reader.GetString(0);
        var name = reader.GetString(1);
        var starts = reader.GetFieldValue<DateTimeOffset>(2);
        var ends = reader.GetFieldValue<DateTimeOffset>(3);
        var cancelled = !reader.IsDBNull(4);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var items = new List<StoredItem>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(new StoredItem(reader.GetString(0), reader.GetInt32(1), reader.GetDecimal(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5)));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var reservations = new List<Reservation>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            reservations.Add(new Reservation(
                id,
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetInt32(3),
                ParseState(reader.GetString(4)),
                reader.GetInt32(5),
                reader.GetFieldValue<DateTimeOffset>(6),
                reader.GetFieldValue<DateTimeOffset>(7)));
        }

        var definition = new FlashSaleDefinition
        {
            Id = id,
            ShopId = shop,
            Name = name,
            StartsAt = starts,
            EndsAt = ends,
            Items = items.Select(i => new FlashSaleItemDefinition(i.ProductId, i.Stock, i.Price, i.PerUserLimit)).ToArray(),
        };
        return new StoredSale(definition, cancelled, items, reservations);
    }

    public static string StateName(ReservationState state) => state switch
    {
        ReservationState.Reserved => "reserved",
        ReservationState.Confirmed => "confirmed",
        ReservationState.Released => "released",
        _ => "expired",
    };

    public static ReservationState ParseState(string state) => state switch
    {
        "reserved" => ReservationState.Reserved,
        "confirmed" => ReservationState.Confirmed,
        "released" => ReservationState.Released,
        "expired" => ReservationState.Expired,
        _ => throw new InvalidOperationException($"Unknown reservation state '{state}'."),
    };

    private async Task InsertItemsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid id, IReadOnlyList<FlashSaleItemDefinition> items, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            insert into {_s}.sale_items (sale_id, product_id, stock, price, per_user_limit)
            select @id, * from unnest(@products, @stocks, @prices, @limits)
            """,
            connection,
            transaction);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.Add(new NpgsqlParameter<string[]>("products", items.Select(i => i.ProductId).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<int[]>("stocks", items.Select(i => i.Stock).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<decimal[]>("prices", items.Select(i => i.Price).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<int[]>("limits", items.Select(i => i.PerUserLimit).ToArray()));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> RunAsync<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw new FlashSaleUnavailableException("PostgreSQL failed: " + e.Message, e);
        }
    }
}

/// <summary>A sale as PostgreSQL holds it.</summary>
internal sealed record StoredSale(FlashSaleDefinition Definition, bool Cancelled, IReadOnlyList<StoredItem> Items, IReadOnlyList<Reservation> Reservations);

/// <summary>An item row.</summary>
internal sealed record StoredItem(string ProductId, int Stock, decimal Price, int PerUserLimit, int ReservedUnits, int ConfirmedUnits);

/// <summary>One entry of a sale's journal stream.</summary>
internal sealed record JournalEntry(
    string ReservationId,
    ReservationState State,
    int Version,
    string UserId,
    string ProductId,
    int Quantity,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset OccurredAt);
