using System.Globalization;
using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>One entry of a sale's journal stream (see <c>prelude.lua</c>): a reservation change or a lifecycle event.</summary>
/// <param name="Id">The stream entry id.</param>
/// <param name="Seq">The sale's sequence number of the change.</param>
internal abstract record JournalEntry(RedisValue Id, long Seq)
{
    /// <summary>
    /// Decodes an entry; null for the placeholder that keeps an empty stream alive.
    /// </summary>
    /// <exception cref="FormatException">The entry is unreadable (a poison entry, to be parked).</exception>
    public static JournalEntry? Decode(RedisValue id, Dictionary<string, string> fields)
    {
        if (fields.GetValueOrDefault("r") == "_" && !fields.ContainsKey("k"))
        {
            return null;
        }

        string Field(string name) => fields.TryGetValue(name, out var value) ? value : throw new FormatException($"Journal entry {id} has no field '{name}'.");
        int Int(string name) => int.Parse(Field(name), CultureInfo.InvariantCulture);
        var seq = long.Parse(Field("n"), CultureInfo.InvariantCulture);
        return Field("k") switch
        {
            "r" => new ReservationChange(
                id,
                seq,
                Field("r"),
                ReservationRecord.ParseState(Field("s")),
                Int("v"),
                Field("u"),
                Field("p"),
                Int("q"),
                ReservationRecord.Time(Field("c")),
                ReservationRecord.Time(Field("x")),
                ReservationRecord.Time(Field("t"))),
            "l" => new LifecycleChange(
                id,
                seq,
                ParseKind(Field("e")),
                Field("p") is { Length: > 0 } product ? product : null,
                Int("a"),
                ReservationRecord.Time(Field("t"))),
            var kind => throw new FormatException($"Journal entry {id} has unknown kind '{kind}'."),
        };
    }

    private static FlashSaleLifecycleKind ParseKind(string kind) => kind switch
    {
        "started" => FlashSaleLifecycleKind.Started,
        "ended" => FlashSaleLifecycleKind.Ended,
        "cancelled" => FlashSaleLifecycleKind.Cancelled,
        "sold_out" => FlashSaleLifecycleKind.SoldOut,
        "units_back" => FlashSaleLifecycleKind.UnitsAvailable,
        _ => throw new FormatException($"Unknown lifecycle event '{kind}'."),
    };
}

/// <summary>A reservation's state change.</summary>
internal sealed record ReservationChange(
    RedisValue Id,
    long Seq,
    string ReservationId,
    ReservationState State,
    int Version,
    string UserId,
    string ProductId,
    int Quantity,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset OccurredAt) : JournalEntry(Id, Seq);

/// <summary>A sale's lifecycle event, recorded once by the script whose change caused it.</summary>
internal sealed record LifecycleChange(
    RedisValue Id,
    long Seq,
    FlashSaleLifecycleKind Kind,
    string? ProductId,
    int Available,
    DateTimeOffset OccurredAt) : JournalEntry(Id, Seq);
