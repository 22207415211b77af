namespace Commerce.FlashSale;

/// <summary>
/// Receives reservation state changes (register any number with
/// <c>AddCommerceFlashSale(...).AddEventSubscriber&lt;T&gt;()</c>). Called by the journal worker after the change is committed
/// to PostgreSQL, in journal order per sale. If a subscriber throws, the entries are delivered again later.
/// </summary>
public interface IFlashSaleEventSubscriber
{
    /// <summary>Handles one change.</summary>
    /// <param name="saleEvent">The change.</param>
    /// <param name="cancellationToken">Stops with the host.</param>
    /// <returns>A task that completes when handled.</returns>
    ValueTask HandleAsync(FlashSaleEvent saleEvent, CancellationToken cancellationToken);
}
