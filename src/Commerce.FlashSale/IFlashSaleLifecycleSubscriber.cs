namespace Commerce.FlashSale;

/// <summary>
/// Receives a sale's lifecycle transitions: started, ended, cancelled, an item sold out, units back (register any number
/// with <c>AddCommerceFlashSale(...).AddLifecycleSubscriber&lt;T&gt;()</c>). Called by the journal worker, in journal order
/// per sale, with reservation events; a call that throws or outlives <see cref="FlashSaleOptions.EventDeliveryTimeout"/>
/// is delivered again later.
/// </summary>
public interface IFlashSaleLifecycleSubscriber
{
    /// <summary>Handles one transition.</summary>
    /// <param name="lifecycleEvent">The transition.</param>
    /// <param name="cancellationToken">Cancelled when the delivery times out or the host stops.</param>
    /// <returns>A task that completes when handled.</returns>
    ValueTask HandleAsync(FlashSaleLifecycleEvent lifecycleEvent, CancellationToken cancellationToken);
}
