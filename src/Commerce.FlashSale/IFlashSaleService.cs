namespace Commerce.FlashSale;

/// <summary>
/// Flash sales: their lifecycle and the reservations against them. Expected outcomes (sold out, limit exceeded,
/// rate limited, not found, ...) are results; only infrastructure failures throw
/// (<see cref="FlashSaleUnavailableException"/>), and bad input throws <see cref="FlashSaleDefinitionException"/>.
/// </summary>
public interface IFlashSaleService
{
    /// <summary>
    /// Creates a sale in PostgreSQL and Redis. Idempotent when <see cref="FlashSaleDefinition.Id"/> is given: creating
    /// again a sale whose Redis state was lost restores it from PostgreSQL, with its holds and sales.
    /// </summary>
    /// <param name="definition">The sale.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The sale as created.</returns>
    /// <exception cref="FlashSaleDefinitionException">The definition breaks a rule, or a different sale has this id.</exception>
    /// <exception cref="FlashSaleUnavailableException">Redis or PostgreSQL failed.</exception>
    Task<FlashSaleSnapshot> CreateSaleAsync(FlashSaleDefinition definition, CancellationToken cancellationToken = default);

    /// <summary>Replaces a sale's name, window and items; only before it starts.</summary>
    /// <param name="saleId">The sale.</param>
    /// <param name="definition">Its new definition (the id in it is ignored).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see cref="SaleChangeOutcome.Done"/>, or why not.</returns>
    /// <exception cref="FlashSaleDefinitionException">The definition breaks a rule.</exception>
    /// <exception cref="FlashSaleUnavailableException">Redis or PostgreSQL failed.</exception>
    Task<SaleChangeOutcome> UpdateSaleAsync(Guid saleId, FlashSaleDefinition definition, CancellationToken cancellationToken = default);

    /// <summary>Cancels a sale that has not ended: no reservation is taken or confirmed after.</summary>
    /// <param name="saleId">The sale.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see cref="SaleChangeOutcome.Done"/>, or why not.</returns>
    /// <exception cref="FlashSaleUnavailableException">Redis or PostgreSQL failed.</exception>
    Task<SaleChangeOutcome> CancelSaleAsync(Guid saleId, CancellationToken cancellationToken = default);

    /// <summary>Reads a sale's status and live availability per product.</summary>
    /// <param name="saleId">The sale.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The sale, or null when there is none.</returns>
    /// <exception cref="FlashSaleUnavailableException">Redis failed, or the sale is being recovered (transient).</exception>
    Task<FlashSaleSnapshot?> GetSaleAsync(Guid saleId, CancellationToken cancellationToken = default);

    /// <summary>
    /// A shop's sales that have not ended (running and upcoming, not cancelled) by the sale clock, soonest first, with
    /// live availability per product, as <see cref="GetSaleAsync"/> reads them.
    /// </summary>
    /// <param name="shopId">The shop.</param>
    /// <param name="limit">At most this many (1 to 200, default 50).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The sales; empty when the shop has none.</returns>
    /// <exception cref="FlashSaleUnavailableException">Redis or PostgreSQL failed, or a listed sale is being recovered (transient).</exception>
    /// <exception cref="NotSupportedException">An implementation written before this method existed.</exception>
    Task<IReadOnlyList<FlashSaleSnapshot>> ListSalesAsync(string shopId, int limit = 50, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{GetType().Name} does not list sales.");

    /// <summary>Holds units for a user, atomically against stock, the user's limit, the sale window and the rate limit.</summary>
    /// <param name="request">What to hold.</param>
    /// <param name="cancellationToken">Cancels the wait (the reservation may still have been made: retry with the same id).</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="FlashSaleDefinitionException">The request breaks a rule (quantity below 1, malformed ids).</exception>
    /// <exception cref="FlashSaleUnavailableException">
    /// Redis failed. When <see cref="FlashSaleUnavailableException.MayHaveApplied"/>, the hold may have been made: retry with
    /// <see cref="FlashSaleUnavailableException.ReservationId"/> (generated when the request named none), which answers it.
    /// </exception>
    Task<ReserveResult> ReserveAsync(ReserveRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Turns a hold into a sale. Fails cleanly (<see cref="ReservationOutcome.Expired"/>) once the hold has expired. A
    /// confirmation is durable before it is acknowledged: <see cref="ReservationOutcome.Confirmed"/> and
    /// <see cref="ReservationOutcome.AlreadyConfirmed"/> are returned only once PostgreSQL holds it, so losing Redis never
    /// loses it.
    /// </summary>
    /// <param name="saleId">The sale.</param>
    /// <param name="reservationId">The reservation.</param>
    /// <param name="userId">The user holding it.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The outcome and the reservation.</returns>
    /// <exception cref="FlashSaleUnavailableException">Redis or PostgreSQL failed; when <see cref="FlashSaleUnavailableException.MayHaveApplied"/>, call again: it answers the current state.</exception>
    Task<ReservationResult> ConfirmAsync(Guid saleId, string reservationId, string userId, CancellationToken cancellationToken = default);

    /// <summary>Gives a hold up; its units return to stock at once.</summary>
    /// <param name="saleId">The sale.</param>
    /// <param name="reservationId">The reservation.</param>
    /// <param name="userId">The user holding it.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The outcome and the reservation.</returns>
    /// <exception cref="FlashSaleUnavailableException">Redis failed.</exception>
    Task<ReservationResult> ReleaseAsync(Guid saleId, string reservationId, string userId, CancellationToken cancellationToken = default);

    /// <summary>Reads one reservation of a user (reservation ids are scoped to their user).</summary>
    /// <param name="saleId">The sale.</param>
    /// <param name="reservationId">The reservation.</param>
    /// <param name="userId">The user holding it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The reservation, or null.</returns>
    /// <exception cref="FlashSaleUnavailableException">Redis failed, or the sale is being recovered.</exception>
    Task<Reservation?> GetReservationAsync(Guid saleId, string reservationId, string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Joins the sale's waiting room, or asks again for the place already held (idempotent per user): the position, and
    /// once admitted a signed, short-lived admission token for <see cref="ReserveRequest.AdmissionToken"/>.
    /// </summary>
    /// <param name="saleId">The sale (one with a <see cref="FlashSaleDefinition.WaitingRoom"/>).</param>
    /// <param name="userId">The shopper.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The shopper's ticket.</returns>
    /// <exception cref="FlashSaleUnavailableException">Redis could not be reached.</exception>
    Task<QueueTicket> JoinQueueAsync(Guid saleId, string userId, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("This IFlashSaleService does not implement waiting rooms.");
}
