using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>The reply of <c>change.lua</c>, decoded: the outcome, the reservation after it, the sale's epoch and seq.</summary>
internal readonly record struct ChangeReply(string Kind, Reservation? Reservation, long Epoch, long Seq)
{
    public static ChangeReply Decode(RedisResult result, Guid saleId, string reservationId)
    {
        var p = result.Parts();
        var kind = p[0].Str();
        return p.Length < 5
            ? new ChangeReply(kind, null, 0, 0)
            : new ChangeReply(kind, ReservationRecord.Parse(saleId, reservationId, p[1].Str()), p[3].IsNull ? 1 : p[3].Long(), p[4].IsNull ? 0 : p[4].Long());
    }
}
