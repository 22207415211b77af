using Microsoft.Extensions.Options;
using Npgsql;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// Sales in PostgreSQL: definitions (written before Redis), the epoch of their Redis state, what PostgreSQL has applied,
/// and which sales still need looking after. PostgreSQL is the registry of sales, so it survives Redis losing its data.
/// </summary>
internal sealed class PostgresSaleStore(FlashSaleConnections connections, FlashSaleSql sql, SaleClock clock, IOptions<FlashSaleOptions> options)
{
    /// <summary>Inserts a sale and its items; returns the stored definition when a sale with this id already exists.</summary>
    public Task<FlashSaleDefinition?> InsertSaleAsync(Guid id, FlashSaleDefinition definition, CancellationToken cancellationToken) =>
        PostgresErrors.RunAsync(async () =>
        {
            await using var connection = await connections.Postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var insert = new NpgsqlCommand(sql.InsertSale, connection, transaction))
            {
                insert.Parameters.AddWithValue("id", id);
                insert.Parameters.AddWithValue("shop", definition.ShopId);
                insert.Parameters.AddWithValue("name", definition.Name);
                insert.Parameters.AddWithValue("starts", definition.StartsAt.ToUniversalTime());
                insert.Parameters.AddWithValue("ends", definition.EndsAt.ToUniversalTime());
                insert.Parameters.AddWithValue("buckets", definition.Buckets);
                insert.Parameters.AddWithValue("room_rate", (object?)definition.WaitingRoom?.AdmissionsPerSecond ?? DBNull.Value);
                insert.Parameters.AddWithValue("room_lifetime_ms", (object?)(long?)definition.WaitingRoom?.AdmissionLifetime.TotalMilliseconds ?? DBNull.Value);
                if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    return (await LoadAsync(id, cancellationToken).ConfigureAwait(false))?.Definition;
                }
            }

            await using (var items = new NpgsqlCommand(sql.InsertItems, connection, transaction))
            {
                AddItems(items, id, definition.Items);
                await items.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return null;
        });

    /// <summary>
    /// Writes a new definition in a transaction the caller commits (after Redis took it) or rolls back. Items are updated
    /// in place; removing one that reservations refer to fails (they are never deleted).
    /// </summary>
    public Task<NpgsqlTransaction> BeginUpdateAsync(Guid id, FlashSaleDefinition definition, CancellationToken cancellationToken) =>
        PostgresErrors.RunAsync(async () =>
        {
            var connection = await connections.Postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await using (var update = new NpgsqlCommand(sql.UpdateSale, connection, transaction))
                {
                    update.Parameters.AddWithValue("id", id);
                    update.Parameters.AddWithValue("name", definition.Name);
                    update.Parameters.AddWithValue("starts", definition.StartsAt.ToUniversalTime());
                    update.Parameters.AddWithValue("ends", definition.EndsAt.ToUniversalTime());
                    await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await using (var items = new NpgsqlCommand(sql.UpsertItems, connection, transaction))
                {
                    AddItems(items, id, definition.Items);
                    await items.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                return transaction;
            }
            catch
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        });

    public Task CancelSaleAsync(Guid id, CancellationToken cancellationToken) =>
        PostgresErrors.RunAsync(async () =>
        {
            await using var command = connections.Postgres.CreateCommand(sql.CancelSale);
            command.Parameters.AddWithValue("id", id);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        });

    public async Task<string?> GetShopIdAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = connections.Postgres.CreateCommand(sql.ShopOf);
        command.Parameters.AddWithValue("id", id);
        return (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Everything PostgreSQL knows of a sale, or null.</summary>
    public async Task<StoredSale?> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await connections.Postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await LoadAsync(connection, null, id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a new epoch of a sale's Redis state and reads what to rebuild it from, in one transaction: drains and
    /// confirmations of the old epoch that committed before are included, and later ones are refused by their fence.
    /// Null when PostgreSQL has no such sale.
    /// </summary>
    public async Task<(StoredSale Sale, long Epoch, long[] Seqs)?> BeginEpochAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await connections.Postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        long epoch;
        long[] seqs;
        await using (var bump = new NpgsqlCommand(sql.BumpEpoch, connection, transaction))
        {
            bump.Parameters.AddWithValue("sale", id);
            await using var reader = await bump.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            (epoch, seqs) = (reader.GetInt64(0), reader.GetFieldValue<long[]>(1));
        }

        var sale = await LoadAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (sale!, epoch, seqs);
    }

    /// <summary>What PostgreSQL knows of a sale's Redis state (the journal reached per bucket), or null when it has no such sale.</summary>
    public async Task<(long Epoch, long[] Seqs, bool NeedsCare)?> HealthAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = connections.Postgres.CreateCommand(sql.SaleHealth);
        command.Parameters.AddWithValue("sale", id);
        Retention(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? (reader.GetInt64(0), reader.GetFieldValue<long[]>(1), reader.GetBoolean(2))
            : null;
    }

    /// <summary>The sales that still need looking after.</summary>
    public async Task<IReadOnlyList<Guid>> ActiveSalesAsync(CancellationToken cancellationToken)
    {
        await using var command = connections.Postgres.CreateCommand(sql.ActiveSales);
        Retention(command);
        var sales = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            sales.Add(reader.GetGuid(0));
        }

        return sales;
    }

    public async Task<IReadOnlyList<Guid>> ShopSalesAsync(string shopId, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        await using var command = connections.Postgres.CreateCommand(sql.ShopSales);
        command.Parameters.AddWithValue("shop", shopId);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("limit", limit);
        var sales = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            sales.Add(reader.GetGuid(0));
        }

        return sales;
    }

    public async Task RetireAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = connections.Postgres.CreateCommand(sql.RetireSale);
        command.Parameters.AddWithValue("sale", id);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<StoredSale?> LoadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid id, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var statement in sql.LoadSale.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(statement) { Parameters = { new("id", id) } });
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var (shop, name, starts, ends, cancelled, epoch, buckets) = (reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2),
            reader.GetFieldValue<DateTimeOffset>(3), !reader.IsDBNull(4), reader.GetInt64(5), reader.GetInt32(6));
        var room = reader.IsDBNull(7) ? null : new FlashSaleWaitingRoom
        {
            AdmissionsPerSecond = reader.GetInt32(7),
            AdmissionLifetime = TimeSpan.FromMilliseconds(reader.GetInt64(8)),
        };
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
            reservations.Add(new Reservation(id, reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3),
                ReservationRecord.ParseState(reader.GetString(4)), reader.GetInt32(5), reader.GetFieldValue<DateTimeOffset>(6), reader.GetFieldValue<DateTimeOffset>(7)));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var parked = new List<ParkedEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            parked.Add(new ParkedEntry(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetString(2)));
        }

        var definition = new FlashSaleDefinition
        {
            Id = id,
            ShopId = shop,
            Name = name,
            StartsAt = starts,
            EndsAt = ends,
            Items = items.Select(i => new FlashSaleItemDefinition(i.ProductId, i.Stock, i.Price, i.PerUserLimit)).ToArray(),
            Buckets = buckets,
            WaitingRoom = room,
        };
        return new StoredSale(definition, cancelled, epoch, items, reservations, parked);
    }

    private static void AddItems(NpgsqlCommand command, Guid id, IReadOnlyList<FlashSaleItemDefinition> items)
    {
        command.Parameters.AddWithValue("id", id);
        command.Parameters.Add(new NpgsqlParameter<string[]>("products", items.Select(i => i.ProductId).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<int[]>("stocks", items.Select(i => i.Stock).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<decimal[]>("prices", items.Select(i => i.Price).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<int[]>("limits", items.Select(i => i.PerUserLimit).ToArray()));
    }

    /// <summary>
    /// The sale clock's now (null with Redis' clock: PostgreSQL's stands in) and the Redis retention, for sale_health.sql
    /// and active_sales.sql: a sale is looked after until it ended that long ago on the sale clock.
    /// </summary>
    private void Retention(NpgsqlCommand command)
    {
        command.Parameters.Add(new NpgsqlParameter("now", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)clock.PostgresNow() ?? DBNull.Value });
        command.Parameters.AddWithValue("retention", options.Value.RedisRetention);
    }
}

/// <summary>A sale as PostgreSQL holds it.</summary>
internal sealed record StoredSale(
    FlashSaleDefinition Definition,
    bool Cancelled,
    long Epoch,
    IReadOnlyList<StoredItem> Items,
    IReadOnlyList<Reservation> Reservations,
    IReadOnlyList<ParkedEntry> Parked);

/// <summary>An item row.</summary>
internal sealed record StoredItem(string ProductId, int Stock, decimal Price, int PerUserLimit, int ReservedUnits, int ConfirmedUnits);

/// <summary>A journal entry parked in the dead letters.</summary>
internal sealed record ParkedEntry(string EntryId, long? Seq, string Error);
