namespace Commerce.FlashSale;

/// <summary>A reservation as it is now.</summary>
/// <param name="SaleId">The sale.</param>
/// <param name="Id">The reservation id (also the idempotency key of the reserve call).</param>
/// <param name="UserId">Who holds it.</param>
/// <param name="ProductId">The product.</param>
/// <param name="Quantity">Units held.</param>
/// <param name="State">Its state.</param>
/// <param name="Version">Incremented on each state change, starting at 1.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="ExpiresAt">When an unconfirmed hold expires.</param>
public sealed record Reservation(
    Guid SaleId,
    string Id,
    string UserId,
    string ProductId,
    int Quantity,
    ReservationState State,
    int Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);
