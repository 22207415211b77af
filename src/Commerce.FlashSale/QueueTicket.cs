namespace Commerce.FlashSale;

/// <summary>A shopper's place in a sale's waiting room. Asking again keeps the place.</summary>
public sealed record QueueTicket
{
    /// <summary>What the waiting room answered.</summary>
    public required QueueOutcome Outcome { get; init; }

    /// <summary>
    /// The shopper's place (1 = the next to be admitted) while <see cref="QueueOutcome.Waiting"/>; 0 once admitted.
    /// </summary>
    public long Position { get; init; }

    /// <summary>
    /// The shopper's rank in the queue (0-based): admitted when <see cref="AdmittedThrough"/> exceeds it. Before the start
    /// it moves as other early shoppers are placed at random; from the start it is fixed.
    /// </summary>
    public long Rank { get; init; }

    /// <summary>Shoppers in the queue.</summary>
    public long QueueLength { get; init; }

    /// <summary>How many shoppers, from the front, have been admitted so far.</summary>
    public long AdmittedThrough { get; init; }

    /// <summary>When admitted: the token to pass as <see cref="ReserveRequest.AdmissionToken"/> (signed, bound to this sale and user).</summary>
    public string? AdmissionToken { get; init; }

    /// <summary>When admitted: when the token stops being accepted.</summary>
    public DateTimeOffset? AdmissionExpiresAt { get; init; }
}
