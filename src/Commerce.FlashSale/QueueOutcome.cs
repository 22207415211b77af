namespace Commerce.FlashSale;

/// <summary>What joining (or asking again in) a sale's waiting room answered.</summary>
public enum QueueOutcome
{
    /// <summary>In the queue: <see cref="QueueTicket.Position"/> shoppers are to be admitted before this one, itself included.</summary>
    Waiting,

    /// <summary>Admitted: <see cref="QueueTicket.AdmissionToken"/> lets this shopper reserve until it expires.</summary>
    Admitted,

    /// <summary>Every item is sold out: admissions are paused (they resume if units come back).</summary>
    SoldOut,

    /// <summary>The sale has ended or was cancelled.</summary>
    SaleNotActive,

    /// <summary>The sale has no waiting room: reserve directly.</summary>
    NoWaitingRoom,

    /// <summary>There is no such sale.</summary>
    NotFound,

    /// <summary>Redis lost the sale's state and it is being rebuilt: ask again shortly.</summary>
    Recovering,
}
