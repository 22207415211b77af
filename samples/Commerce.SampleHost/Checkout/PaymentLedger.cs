using Npgsql;

namespace Commerce.SampleHost;

/// <summary>
/// The host's record of every payment it received (table <c>sample_payments</c>, keyed by payment id): the one payment
/// that booked a reservation, and what became of the others (a second payment for it, or one that came after the hold
/// ended), so they can be refunded. At most one payment books a reservation, from any instance, whatever the order.
/// </summary>
public sealed class PaymentLedger(NpgsqlDataSource db)
{
    /// <summary>What a payment became.</summary>
    public const string Booked = "booked";

    private volatile bool _ready;

    /// <summary>Creates the table if it is missing (under an advisory lock, so two instances starting together agree).</summary>
    private async Task EnsureSchemaAsync(CancellationToken ct)
    {
        if (_ready)
        {
            return;
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand("""
            SELECT pg_advisory_xact_lock(hashtext('commerce.sample_payments'));
            CREATE TABLE IF NOT EXISTS sample_payments (
                payment_id     text PRIMARY KEY,
                shop_id        text NOT NULL,
                sale_id        uuid NOT NULL,
                reservation_id text NOT NULL,
                user_id        text NOT NULL,
                amount         numeric(19,4) NOT NULL,
                currency       text NOT NULL,
                paid_at        timestamptz NOT NULL,
                outcome        text NOT NULL,
                recorded_at    timestamptz NOT NULL DEFAULT now());
            CREATE UNIQUE INDEX IF NOT EXISTS sample_payments_one_booking ON sample_payments (sale_id, reservation_id) WHERE outcome = 'booked';
            """, connection, tx);
        await command.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        _ready = true;
    }

    /// <summary>
    /// Books the reservation with this payment unless another payment booked it first; returns the id of the payment
    /// that holds the booking (this one, also when it is sent again).
    /// </summary>
    public async Task<string?> BookAsync(PaymentPayload p, CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        // One round trip, two statements: the read has a snapshot of its own, so it sees the booking of a payment
        // that won a race with this one.
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(Record(p, Booked));
        batch.BatchCommands.Add(new("SELECT payment_id FROM sample_payments WHERE sale_id = $1 AND reservation_id = $2 AND outcome = 'booked'")
        {
            Parameters = { new() { Value = p.SaleId }, new() { Value = p.ReservationId } },
        });
        await using var reader = await batch.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? reader.GetString(0) : null;
    }

    /// <summary>Records the payment with its outcome, unless it is recorded already (the first outcome stays).</summary>
    public async Task RecordAsync(PaymentPayload p, string outcome, CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(Record(p, outcome));
        await batch.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlBatchCommand Record(PaymentPayload p, string outcome)
    {
        var command = new NpgsqlBatchCommand("""
            INSERT INTO sample_payments (payment_id, shop_id, sale_id, reservation_id, user_id, amount, currency, paid_at, outcome)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT DO NOTHING
            """);
        foreach (var value in new object[] { p.PaymentId, p.ShopId, p.SaleId, p.ReservationId, p.UserId, p.Amount, p.Currency, p.PaidAt, outcome })
        {
            command.Parameters.Add(new() { Value = value });
        }

        return command;
    }
}
