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

    [LoggerMessage(2005, LogLevel.Warning, "A flash-sale event handler failed or timed out for sale {SaleId}; the entries will be delivered again.", EventName = "EventSubscriberFailed")]
    public static partial void EventSubscriberFailed(ILogger logger, Guid saleId, Exception exception);

    [LoggerMessage(2006, LogLevel.Warning, "The expiry sweep of flash sale {SaleId} failed; it will be retried.", EventName = "SweepFailed")]
    public static partial void SweepFailed(ILogger logger, Guid saleId, Exception exception);

    [LoggerMessage(2007, LogLevel.Warning, "Rebuilt the Redis state of flash sale {SaleId} from PostgreSQL ({Reservations} reservations, epoch {Epoch}).", EventName = "SaleRebuilt")]
    public static partial void SaleRebuilt(ILogger logger, Guid saleId, int reservations, long epoch);

    [LoggerMessage(2008, LogLevel.Error, "A flash-sale background pass failed; it will run again.", EventName = "BackgroundPassFailed")]
    public static partial void BackgroundPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(2009, LogLevel.Warning, "The background work of flash sale {SaleId} failed; it will run again.", EventName = "SalePassFailed")]
    public static partial void SalePassFailed(ILogger logger, Guid saleId, Exception exception);

    [LoggerMessage(2010, LogLevel.Warning, "Redis went back for flash sale {SaleId} (epoch {RedisEpoch}, seq {RedisSeq}; PostgreSQL has epoch {PostgresEpoch}, seq {PostgresSeq}): rebuilding it.", EventName = "SaleStateWentBack")]
    public static partial void SaleStateWentBack(ILogger logger, Guid saleId, long redisEpoch, long redisSeq, long postgresEpoch, long postgresSeq);

    [LoggerMessage(2018, LogLevel.Warning, "The buckets of flash sale {SaleId} hold {Units} units of {ProductId} for a stock of {Stock} (a failover lost half of a move): rebuilding it.", EventName = "SplitStockDiffers")]
    public static partial void SplitStockDiffers(ILogger logger, Guid saleId, string productId, long units, long stock);

    [LoggerMessage(2011, LogLevel.Error, "Recovering flash sale {SaleId} failed; it will be tried again.", EventName = "RecoveryFailed")]
    public static partial void RecoveryFailed(ILogger logger, Guid saleId, Exception exception);

    [LoggerMessage(2012, LogLevel.Warning, "A drainer of flash sale {SaleId} stopped: epoch {Epoch} of its Redis state was replaced by a rebuild.", EventName = "DrainFenced")]
    public static partial void DrainFenced(ILogger logger, Guid saleId, long epoch);

    [LoggerMessage(2013, LogLevel.Error, "Parked journal entry {EntryId} of flash sale {SaleId}: PostgreSQL refused it. ReconcileAsync lists it.", EventName = "JournalEntryParked")]
    public static partial void JournalEntryParked(ILogger logger, Guid saleId, string entryId, Exception exception);

    [LoggerMessage(2014, LogLevel.Warning, "Redis {Endpoint} has maxmemory-policy {Policy}: it may evict flash-sale keys (holds would be lost until a rebuild). Set maxmemory-policy noeviction, or give flash sales their own Redis.", EventName = "RedisEvicts")]
    public static partial void RedisEvicts(ILogger logger, string endpoint, string policy);

    [LoggerMessage(2015, LogLevel.Information, "Could not read maxmemory-policy of Redis {Endpoint} ({Reason}); flash sales need noeviction.", EventName = "RedisPolicyUnknown")]
    public static partial void RedisPolicyUnknown(ILogger logger, string endpoint, string reason);

    [LoggerMessage(2017, LogLevel.Error, "PostgreSQL refused confirmation {ReservationId} of flash sale {SaleId} (its constraints say the stock is exhausted): not acknowledged; the sale's Redis state is rebuilt.", EventName = "ConfirmationRefused")]
    public static partial void ConfirmationRefused(ILogger logger, Guid saleId, string reservationId, Exception exception);

    [LoggerMessage(2016, LogLevel.Warning, "Confirmation {ReservationId} of flash sale {SaleId} is recorded in Redis but PostgreSQL refused its epoch (a rebuild is under way): answered as recovering.", EventName = "ConfirmationFenced")]
    public static partial void ConfirmationFenced(ILogger logger, Guid saleId, string reservationId);
}
