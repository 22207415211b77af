namespace Commerce.FlashSale;

/// <summary>Which clock decides sale windows and hold expiry.</summary>
public enum FlashSaleClock
{
    /// <summary>Redis' own clock (TIME), read inside each script: every host instance sees the same time. The default.</summary>
    Redis,

    /// <summary>
    /// The <see cref="TimeProvider"/> from DI, passed into each script. For tests with a fake clock; in production
    /// instances whose clocks drift apart would disagree about expiry. Key lifetimes are counted on it too, so a fake
    /// clock set on any date keeps a sale's keys for <see cref="FlashSaleOptions.RedisRetention"/> after its end.
    /// </summary>
    TimeProvider,
}
