namespace Commerce.FlashSale;

/// <summary>A request to hold units of a product in a sale.</summary>
public sealed record ReserveRequest
{
    /// <summary>The sale.</summary>
    public required Guid SaleId { get; init; }

    /// <summary>The product.</summary>
    public required string ProductId { get; init; }

    /// <summary>The user (1-200 characters, no '|').</summary>
    public required string UserId { get; init; }

    /// <summary>Units to hold, at least 1.</summary>
    public int Quantity { get; init; } = 1;

    /// <summary>
    /// The reservation id, which is also the idempotency key: a retry with the same id answers the same
    /// reservation. Null generates one. 1-128 characters, no '|'.
    /// </summary>
    public string? ReservationId { get; init; }

    /// <summary>
    /// For a sale with a waiting room: the token <see cref="IFlashSaleService.JoinQueueAsync"/> gave this user when it
    /// admitted them; without a valid one the answer is <see cref="ReserveOutcome.NotAdmitted"/>. Ignored otherwise.
    /// </summary>
    public string? AdmissionToken { get; init; }
}
