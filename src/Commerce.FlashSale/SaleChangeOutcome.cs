namespace Commerce.FlashSale;

/// <summary>What an update or cancel of a sale did.</summary>
public enum SaleChangeOutcome
{
    /// <summary>The change was made.</summary>
    Done,

    /// <summary>No such sale.</summary>
    NotFound,

    /// <summary>The sale has started, so it can no longer be updated.</summary>
    AlreadyStarted,

    /// <summary>The sale has ended, so it can no longer be cancelled.</summary>
    AlreadyEnded,

    /// <summary>The sale is cancelled.</summary>
    Cancelled,

    /// <summary>Redis lost the sale and it is being rebuilt from PostgreSQL: try again shortly.</summary>
    Recovering,
}
