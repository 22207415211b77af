namespace Commerce.Analytics;

/// <summary>
/// Feeds analytics from the storefront's events. Every call is idempotent and safe out of order: a duplicate changes
/// nothing, an older version never overwrites a newer one, and a status change for an order not seen yet is kept and
/// applied when the order arrives. The summary tables change in the same transaction as the order.
/// </summary>
public interface IAnalyticsIngestion
{
    /// <summary>Creates or upgrades the PostgreSQL schema (also done at start unless turned off).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the schema is current.</returns>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets a shop's time zone (IANA, for example <c>Asia/Bangkok</c>) and reporting currency. Changing the time zone
    /// recomputes the shop's summaries, since days are local.
    /// </summary>
    /// <param name="shopId">The shop.</param>
    /// <param name="timeZone">An IANA time zone id.</param>
    /// <param name="currency">The default currency of its reports (ISO 4217), or null to keep it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when saved.</returns>
    /// <exception cref="AnalyticsValidationException">The time zone or currency is not valid.</exception>
    Task SetShopAsync(string shopId, string timeZone, string? currency = null, CancellationToken cancellationToken = default);

    /// <summary>A product was created or updated.</summary>
    /// <param name="product">The product.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Applied or ignored.</returns>
    /// <exception cref="AnalyticsValidationException">The product breaks a rule.</exception>
    Task<IngestOutcome> UpsertProductAsync(ProductSnapshot product, CancellationToken cancellationToken = default);

    /// <summary>A product was deleted (kept as a tombstone so an older update can't bring it back).</summary>
    /// <param name="shopId">The shop.</param>
    /// <param name="productId">The product.</param>
    /// <param name="updatedAt">The version.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Applied or ignored.</returns>
    Task<IngestOutcome> DeleteProductAsync(string shopId, string productId, DateTimeOffset updatedAt, CancellationToken cancellationToken = default);

    /// <summary>An order was created or updated (lines and all).</summary>
    /// <param name="order">The order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Applied or ignored.</returns>
    /// <exception cref="AnalyticsValidationException">The order breaks a rule.</exception>
    Task<IngestOutcome> UpsertOrderAsync(OrderSnapshot order, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies many orders of one shop in one transaction, with the same idempotency and version rules as
    /// <see cref="UpsertOrderAsync"/> one at a time (duplicates and older versions change nothing, whatever their order
    /// in the batch): the orders' changes are folded per summary row, so a hot shop's day, month and platform rows are
    /// written once per batch. Concurrent batches of one shop run one after the other (the shop's lock, taken after the
    /// batch is copied in); a serialization failure or deadlock is retried inside.
    /// </summary>
    /// <param name="shopId">The shop every order belongs to.</param>
    /// <param name="orders">The orders, in arrival order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// Per order, in order: <see cref="IngestOutcome.Applied"/> for the version of each order that is stored now (the
    /// batch's winner), <see cref="IngestOutcome.Ignored"/> for a duplicate, an older version or one the batch superseded.
    /// </returns>
    /// <exception cref="AnalyticsValidationException">An order is invalid or of another shop (nothing is written).</exception>
    async Task<IReadOnlyList<IngestOutcome>> UpsertOrdersAsync(string shopId, IReadOnlyList<OrderSnapshot> orders, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orders);
        return await Internal.OneAtATime.UpsertAsync(orders, UpsertOrderAsync, cancellationToken).ConfigureAwait(false);   // for implementations without a batch path
    }

    /// <summary>An order's status changed.</summary>
    /// <param name="change">The change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Applied, ignored, or deferred until the order arrives.</returns>
    Task<IngestOutcome> ChangeOrderStatusAsync(OrderStatusChange change, CancellationToken cancellationToken = default);

    /// <summary>
    /// A partial refund of an order: booked as returns (the refunded amounts), negative shipping and the returned units'
    /// cost given back, on the refund's day; past periods never change. A full refund needs no call: an order whose status
    /// becomes refunded, or cancelled after it was paid, gives back what partial refunds left, on the day of that event.
    /// </summary>
    /// <param name="refund">The refund.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// Applied; <see cref="IngestOutcome.Ignored"/> when a refund with this id was recorded before; or
    /// <see cref="IngestOutcome.Deferred"/> when the order is not known yet (it counts when the order arrives, which it
    /// proves was paid).
    /// </returns>
    /// <exception cref="AnalyticsValidationException">The refund breaks a rule (no goods and no shipping, a quantity under 1, a negative amount).</exception>
    /// <exception cref="NotSupportedException">The implementation does not record partial refunds.</exception>
    Task<IngestOutcome> RecordRefundAsync(OrderRefund refund, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{GetType().Name} does not record partial refunds.");

    /// <summary>A product's stock changed.</summary>
    /// <param name="update">The update.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Applied or ignored.</returns>
    Task<IngestOutcome> UpdateInventoryAsync(InventoryUpdate update, CancellationToken cancellationToken = default);

    /// <summary>
    /// Loads a shop's catalogue and order history at once (binary COPY), with the same rules as the single events
    /// (newer versions win, pending status changes apply), then recomputes the summaries of the days it touched, all in
    /// one transaction.
    /// </summary>
    /// <param name="shopId">The shop; every product and order must belong to it.</param>
    /// <param name="products">Products.</param>
    /// <param name="orders">Orders.</param>
    /// <param name="cancellationToken">Cancels the call (nothing is written).</param>
    /// <returns>What was written.</returns>
    /// <exception cref="AnalyticsValidationException">An item breaks a rule or belongs to another shop.</exception>
    Task<BulkSyncResult> BulkSyncAsync(string shopId, IEnumerable<ProductSnapshot> products, IEnumerable<OrderSnapshot> orders, CancellationToken cancellationToken = default);

    /// <summary>Recomputes a shop's summaries for local days <paramref name="from"/> to <paramref name="to"/> from the base tables.</summary>
    /// <param name="shopId">The shop.</param>
    /// <param name="from">First local day.</param>
    /// <param name="to">Last local day.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when rebuilt.</returns>
    Task RebuildAsync(string shopId, DateOnly from, DateOnly to, CancellationToken cancellationToken = default);
}
