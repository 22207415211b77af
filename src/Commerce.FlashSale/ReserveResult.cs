namespace Commerce.FlashSale;

/// <summary>The result of <see cref="IFlashSaleService.ReserveAsync"/>.</summary>
public sealed record ReserveResult
{
    /// <summary>What happened.</summary>
    public required ReserveOutcome Outcome { get; init; }

    /// <summary>The reservation, when <see cref="Outcome"/> is <see cref="ReserveOutcome.Reserved"/>.</summary>
    public Reservation? Reservation { get; init; }

    /// <summary>True when this answered a retry of an earlier call with the same reservation id.</summary>
    public bool IsReplay { get; init; }

    /// <summary>Units still available, after this reservation (when reserved) or as found (when sold out).</summary>
    public int? Available { get; init; }

    /// <summary>How many more units the user may hold of this product.</summary>
    public int? RemainingAllowance { get; init; }

    /// <summary>When rate limited, how long to wait before trying again.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>When the sale is not active, its status.</summary>
    public FlashSaleStatus? SaleStatus { get; init; }
}
