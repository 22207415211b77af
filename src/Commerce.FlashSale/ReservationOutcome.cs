namespace Commerce.FlashSale;

/// <summary>What a confirm or release call did. Repeating a call answers the reservation's current state.</summary>
public enum ReservationOutcome
{
    /// <summary>The hold became a sale.</summary>
    Confirmed,

    /// <summary>The hold was given up and its units returned.</summary>
    Released,

    /// <summary>It was confirmed before (by this call's earlier attempt or another).</summary>
    AlreadyConfirmed,

    /// <summary>It was released before.</summary>
    AlreadyReleased,

    /// <summary>It expired (possibly just now): its units were returned and it can't be confirmed.</summary>
    Expired,

    /// <summary>The sale was cancelled, so the hold can't be confirmed.</summary>
    SaleNotActive,

    /// <summary>No such reservation for this user in this sale.</summary>
    NotFound,

    /// <summary>
    /// Redis lost the sale's state and it is being rebuilt from PostgreSQL: nothing is acknowledged; call again shortly
    /// with the same reservation id (a transient outcome, HTTP 503).
    /// </summary>
    Recovering,
}
