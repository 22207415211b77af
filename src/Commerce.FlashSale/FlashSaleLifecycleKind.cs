namespace Commerce.FlashSale;

/// <summary>What happened to a sale (see <see cref="FlashSaleLifecycleEvent"/>).</summary>
public enum FlashSaleLifecycleKind
{
    /// <summary>The sale started, by Redis' clock.</summary>
    Started,

    /// <summary>The sale ended, by Redis' clock.</summary>
    Ended,

    /// <summary>The sale was cancelled.</summary>
    Cancelled,

    /// <summary>An item's last units were reserved (<see cref="FlashSaleLifecycleEvent.ProductId"/>).</summary>
    SoldOut,

    /// <summary>Units of a sold-out item came back (a hold was released or expired).</summary>
    UnitsAvailable,
}
