using Microsoft.Extensions.Logging;

namespace Commerce.FlashSale.Internal;

/// <summary>Log messages of Commerce.FlashSale. Event ids 2000-2099.</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "Applied flash-sale migrations {Versions} to schema {Schema}.", EventName = "MigrationsApplied")]
    public static partial void MigrationsApplied(ILogger logger, string versions, string schema);

    [LoggerMessage(2001, LogLevel.Information, "Created flash sale {SaleId} for shop {ShopId}.", EventName = "SaleCreated")]
    public static partial void SaleCreated(ILogger logger, Guid saleId, string shopId);

    [LoggerMessage(2002, LogLevel.Debug, "Expired {Count} holds of flash sale {SaleId}.", EventName = "HoldsExpired")]
    public static partial void HoldsExpired(ILogger logger, int count, Guid saleId);

    [LoggerMessage(2003, LogLevel.Debug, "Persisted {Count} journal entries of flash sale {SaleId}.", EventName = "JournalPersisted")]
    public static partial void JournalPersisted(ILogger logger, int count, Guid saleId);

    [LoggerMessage(2004, LogLevel.Warning, "Draining the journal of flash sale {SaleId} failed; it will be retried.", EventName = "JournalDrainFailed")]
    public static partial void JournalDrainFailed(ILogger logger, Guid saleId, Exception exception);

    [LoggerMessage(2005, LogLevel.Warning, "A flash-sale event handler failed for sale {SaleId}; the entries will be delivered again.", EventName = "EventSubscriberFailed")]
    public static partial void EventSubscriberFailed(ILogger logger, Guid saleId, Exception exception);

    [LoggerMessage(2006, LogLevel.Warning, "The expiry sweep of flash sale {SaleId} failed; it will be retried.", EventName = "SweepFailed")]
    public static partial void SweepFailed(ILogger logger, Guid saleId, Exception exception);

    [LoggerMessage(2007, LogLevel.Warning, "Rebuilt the Redis state of flash sale {SaleId} from PostgreSQL ({Reservations} reservations).", EventName = "SaleRebuilt")]
    public static partial void SaleRebuilt(ILogger logger, Guid saleId, int reservations);

    [LoggerMessage(2008, LogLevel.Error, "A flash-sale background pass failed; it will run again.", EventName = "BackgroundPassFailed")]
    public static partial void BackgroundPassFailed(ILogger logger, Exception exception);
}
