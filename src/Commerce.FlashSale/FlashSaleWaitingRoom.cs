namespace Commerce.FlashSale;

/// <summary>
/// A sale's waiting room (<see cref="FlashSaleDefinition.WaitingRoom"/>): shoppers join a queue
/// (<see cref="IFlashSaleService.JoinQueueAsync"/>) and may reserve only with the admission token they get when their
/// turn comes. Shoppers who join before the start get a random place among themselves (arriving first by milliseconds
/// is no advantage), later ones queue in order; admissions run at <see cref="AdmissionsPerSecond"/> from the start and
/// pause while every item is sold out.
/// </summary>
public sealed record FlashSaleWaitingRoom
{
    /// <summary>Shoppers admitted per second once the sale starts (1-100,000).</summary>
    public int AdmissionsPerSecond { get; init; } = 50;

    /// <summary>How long an admission token lets its shopper reserve (10 s to 1 h; default 2 min).</summary>
    public TimeSpan AdmissionLifetime { get; init; } = TimeSpan.FromMinutes(2);
}
