using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// Reservations in PostgreSQL, written from Redis: journal batches by the drainer, and each confirmation by the confirm
/// call itself before it is acknowledged. Every write names the epoch of the Redis state it comes from and is refused
/// (<see cref="FenceOutcome.Fenced"/>) once a rebuild has started a newer one. One round trip each.
/// </summary>
internal sealed class PostgresReservationStore(FlashSaleConnections connections, FlashSaleSql sql)
{
    /// <summary>
    /// Applies reservation changes of one bucket's journal (and the sequence number it reached) for <paramref name="epoch"/>,
    /// atomically.
    /// </summary>
    public async Task<FenceOutcome> ApplyAsync(Guid saleId, int bucket, long epoch, IReadOnlyList<ReservationChange> changes, long seq, CancellationToken cancellationToken)
    {
        // One row per reservation (its newest version): an upsert may not touch the same row twice.
        var latest = changes
            .GroupBy(e => (e.UserId, e.ReservationId))
            .Select(g => g.MaxBy(e => e.Version)!)
            .ToArray();
        await using var connection = await connections.Postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(Fence(saleId, epoch));
        if (latest.Length > 0)
        {
            batch.BatchCommands.Add(Upsert(saleId, epoch, latest));
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand(sql.RecordProgress) { Parameters = { new("sale", saleId), new("bucket", bucket), new("epoch", epoch), new("seq", seq) } });
        return await ExecuteFencedAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes confirmations of one sale durable, in one statement and one commit (idempotent: a repeat, or a journal entry
    /// drained first, changes nothing). Used by <see cref="ConfirmationWriter"/>, which groups concurrent confirmations.
    /// </summary>
    public Task<FenceOutcome> RecordConfirmationsAsync(Guid saleId, int bucket, long epoch, IReadOnlyList<ReservationChange> confirmations, CancellationToken cancellationToken) =>
        ApplyAsync(saleId, bucket, epoch, confirmations, confirmations.Max(c => c.Seq), cancellationToken);

    /// <summary>Parks a journal entry PostgreSQL can't take, with its error.</summary>
    public async Task ParkAsync(Guid saleId, string entryId, long? seq, IReadOnlyDictionary<string, string> fields, string error, CancellationToken cancellationToken)
    {
        await using var command = connections.Postgres.CreateCommand(sql.ParkDeadLetter);
        command.Parameters.AddWithValue("sale", saleId);
        command.Parameters.AddWithValue("entry", entryId);
        command.Parameters.AddWithValue("seq", (object?)seq ?? DBNull.Value);
        command.Parameters.Add(new NpgsqlParameter("fields", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(fields) });
        command.Parameters.AddWithValue("error", error);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<FenceOutcome> ExecuteFencedAsync(NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        // A batch outside a transaction runs as one implicit transaction: the fence's row lock covers the writes.
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var current = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.GetBoolean(0);
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
        {
        }

        return current ? FenceOutcome.Applied : FenceOutcome.Fenced;
    }

    private NpgsqlBatchCommand Fence(Guid saleId, long epoch) =>
        new(sql.FenceCheck) { Parameters = { new("sale", saleId), new("epoch", epoch) } };

    private NpgsqlBatchCommand Upsert(Guid saleId, long epoch, IReadOnlyList<ReservationChange> rows) => new(sql.UpsertReservations)
    {
        Parameters =
        {
            new("sale", saleId),
            new("epoch", epoch),
            new NpgsqlParameter<string[]>("ids", rows.Select(e => e.ReservationId).ToArray()),
            new NpgsqlParameter<string[]>("products", rows.Select(e => e.ProductId).ToArray()),
            new NpgsqlParameter<string[]>("users", rows.Select(e => e.UserId).ToArray()),
            new NpgsqlParameter<int[]>("quantities", rows.Select(e => e.Quantity).ToArray()),
            new NpgsqlParameter<string[]>("states", rows.Select(e => ReservationRecord.StateName(e.State)).ToArray()),
            new NpgsqlParameter<int[]>("versions", rows.Select(e => e.Version).ToArray()),
            new NpgsqlParameter<DateTime[]>("created", rows.Select(e => e.CreatedAt.UtcDateTime).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
            new NpgsqlParameter<DateTime[]>("expires", rows.Select(e => e.ExpiresAt.UtcDateTime).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
            new NpgsqlParameter<DateTime[]>("updated", rows.Select(e => e.OccurredAt.UtcDateTime).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
            new NpgsqlParameter<long[]>("seqs", rows.Select(e => e.Seq).ToArray()),
        },
    };
}

/// <summary>Whether a write from Redis was taken, or refused because a rebuild started a newer epoch.</summary>
internal enum FenceOutcome
{
    Applied,
    Fenced,
}
