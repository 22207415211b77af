namespace Commerce.FlashSale;

/// <summary>Which clock decides sale windows and hold expiry.</summary>
public enum FlashSaleClock
{
    /// <summary>Redis' own clock (TIME), read inside each script: every host instance sees the same time. The default.</summary>
    Redis,

    /// <summary>
    /// The <see cref="TimeProvider"/> from DI, passed into each script. For tests with a fake clock; in production
    /// instances whose clocks drift apart would disagree about expiry.
    /// </summary>
    TimeProvider,
}
