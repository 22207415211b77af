namespace Commerce.FlashSale;

/// <summary>What a reserve call did. Every outcome is an expected result, not an error.</summary>
public enum ReserveOutcome
{
    /// <summary>The units are held (or, for a retry with the same id, were held by the first call).</summary>
    Reserved,

    /// <summary>Fewer units are available than asked for; <see cref="ReserveResult.Available"/> says how many.</summary>
    SoldOut,

    /// <summary>The user's reserved plus confirmed units would pass the limit; <see cref="ReserveResult.RemainingAllowance"/> says how many more are allowed.</summary>
    LimitExceeded,

    /// <summary>The sale is scheduled, ended or cancelled; <see cref="ReserveResult.SaleStatus"/> says which.</summary>
    SaleNotActive,

    /// <summary>Too many reserve attempts by this user; retry after <see cref="ReserveResult.RetryAfter"/>.</summary>
    RateLimited,

    /// <summary>No such sale, or no such product in it.</summary>
    NotFound,

    /// <summary>The reservation id was already used by this user for a different product or quantity.</summary>
    IdempotencyConflict,

    /// <summary>
    /// A retry with the id of a hold that has since been released or has expired: nothing was reserved now, and
    /// <see cref="ReserveResult.Reservation"/> says what became of the hold.
    /// </summary>
    HoldEnded,

    /// <summary>
    /// Redis lost the sale's state and it is being rebuilt from PostgreSQL (automatically): nothing was reserved; try
    /// again after <see cref="ReserveResult.RetryAfter"/>. A transient outcome (HTTP 503).
    /// </summary>
    Recovering,

    /// <summary>
    /// The sale has a waiting room and the request carries no valid admission token for this user (none, expired, or
    /// another user's or sale's): join the queue (<see cref="IFlashSaleService.JoinQueueAsync"/>). Nothing was reserved.
    /// </summary>
    NotAdmitted,
}
