namespace Commerce.FlashSale;

/// <summary>The result of <see cref="IFlashSaleService.ConfirmAsync"/> or <see cref="IFlashSaleService.ReleaseAsync"/>.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Reservation">The reservation after the call, unless not found.</param>
public sealed record ReservationResult(ReservationOutcome Outcome, Reservation? Reservation);
