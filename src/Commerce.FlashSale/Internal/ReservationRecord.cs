using System.Globalization;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// The one codec of a reservation as Redis stores it: <c>state|version|user|product|quantity|created|expires</c>
/// (times in unix ms), under the field <c>{user}|{id}</c>. The Lua side is <c>pack</c>/<c>unpack_res</c> in
/// <c>prelude.lua</c>; the rebuild writes records with <see cref="Pack"/>.
/// </summary>
internal static class ReservationRecord
{
    /// <summary>The hash field of a reservation: ids are scoped to their user.</summary>
    public static string Field(string userId, string reservationId) => userId + "|" + reservationId;

    public static string Pack(Reservation r) =>
        string.Join('|', StateName(r.State), r.Version.ToString(CultureInfo.InvariantCulture), r.UserId, r.ProductId,
            r.Quantity.ToString(CultureInfo.InvariantCulture), r.CreatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            r.ExpiresAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));

    /// <summary>Parses a record of reservation <paramref name="id"/>.</summary>
    /// <exception cref="FormatException">The record is not in the layout above.</exception>
    public static Reservation Parse(Guid saleId, string id, string record)
    {
        var f = record.Split('|');
        if (f.Length != 7)
        {
            throw new FormatException($"Reservation record '{record}' does not have 7 fields.");
        }

        return new Reservation(
            saleId,
            id,
            f[2],
            f[3],
            int.Parse(f[4], CultureInfo.InvariantCulture),
            ParseState(f[0]),
            int.Parse(f[1], CultureInfo.InvariantCulture),
            Time(f[5]),
            Time(f[6]));
    }

    /// <summary>Parses the record stored under a hash field <c>{user}|{id}</c>.</summary>
    public static Reservation ParseField(Guid saleId, string field, string record) =>
        Parse(saleId, field[(field.IndexOf('|', StringComparison.Ordinal) + 1)..], record);

    public static string StateName(ReservationState state) => state switch
    {
        ReservationState.Reserved => "reserved",
        ReservationState.Confirmed => "confirmed",
        ReservationState.Released => "released",
        _ => "expired",
    };

    /// <exception cref="FormatException">Not a state name.</exception>
    public static ReservationState ParseState(string state) => state switch
    {
        "reserved" => ReservationState.Reserved,
        "confirmed" => ReservationState.Confirmed,
        "released" => ReservationState.Released,
        "expired" => ReservationState.Expired,
        _ => throw new FormatException($"Unknown reservation state '{state}'."),
    };

    public static DateTimeOffset Time(string unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(unixMs, CultureInfo.InvariantCulture));
}
