using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>The reply of <c>reserve.lua</c>, decoded.</summary>
internal readonly record struct ReserveReply(
    string Kind,
    Reservation? Replayed = null,
    DateTimeOffset? ExpiresAt = null,
    DateTimeOffset? Now = null,
    int? Available = null,
    int? Allowance = null,
    long? RetryAfterMs = null,
    string? Status = null)
{
    public static ReserveReply Decode(RedisResult result, Guid saleId, string reservationId)
    {
        var p = result.Parts();
        var kind = p[0].Str();
        return kind switch
        {
            "reserved" => new ReserveReply(kind, ExpiresAt: p[1].Time(), Available: p[2].Int(), Allowance: p[3].Int(), Now: p[4].Time()),
            "replay" => new ReserveReply(kind, Replayed: ReservationRecord.Parse(saleId, reservationId, p[1].Str()), Now: p[2].Time()),
            "not_active" => new ReserveReply(kind, Status: p[1].Str()),
            "rate_limited" => new ReserveReply(kind, RetryAfterMs: p[1].Long()),
            "limit_exceeded" => new ReserveReply(kind, Allowance: p[1].Int()),
            "sold_out" => new ReserveReply(kind, Available: p[1].Int()),
            _ => new ReserveReply(kind),
        };
    }
}
