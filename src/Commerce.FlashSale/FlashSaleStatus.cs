namespace Commerce.FlashSale;

/// <summary>Where a sale is in its life. It follows the clock (Redis' by default), not a scheduled job.</summary>
public enum FlashSaleStatus
{
    /// <summary>Before its start: it can still be updated.</summary>
    Scheduled,

    /// <summary>Between start and end: reservations are taken.</summary>
    Active,

    /// <summary>After its end.</summary>
    Ended,

    /// <summary>Cancelled: no reservation is taken or confirmed.</summary>
    Cancelled,
}
