using Microsoft.Extensions.Logging;

namespace Commerce.Analytics.Internal;

/// <summary>Log messages of Commerce.Analytics. Event ids 5000-5099.</summary>
internal static partial class Log
{
    [LoggerMessage(5000, LogLevel.Information, "Applied analytics migrations {Versions} to schema {Schema}.", EventName = "MigrationsApplied")]
    public static partial void MigrationsApplied(ILogger logger, string versions, string schema);

    [LoggerMessage(5001, LogLevel.Information, "Bulk sync of shop {ShopId}: {Products} products, {Orders} orders, {Lines} lines written, {Days} days recomputed in {Elapsed}.", EventName = "BulkSynced")]
    public static partial void BulkSynced(ILogger logger, string shopId, int products, int orders, int lines, int days, TimeSpan elapsed);

    [LoggerMessage(5002, LogLevel.Information, "Time zone of shop {ShopId} changed to {TimeZone}; its summaries were recomputed.", EventName = "TimeZoneChanged")]
    public static partial void TimeZoneChanged(ILogger logger, string shopId, string timeZone);

    [LoggerMessage(5004, LogLevel.Warning, "Shop {ShopId} had the time zone '{Stored}', which PostgreSQL does not know; it is now '{TimeZone}' and its summaries were recomputed.", EventName = "TimeZoneRepaired")]
    public static partial void TimeZoneRepaired(ILogger logger, string shopId, string stored, string timeZone);

    [LoggerMessage(5005, LogLevel.Information, "Order batch of shop {ShopId} retried after attempt {Attempt} failed with {SqlState}.", EventName = "BatchRetried")]
    public static partial void BatchRetried(ILogger logger, string shopId, int attempt, string sqlState);

    [LoggerMessage(5006, LogLevel.Information, "An order event of shop {ShopId} was retried after attempt {Attempt} failed with {SqlState}.", EventName = "EventRetried")]
    public static partial void EventRetried(ILogger logger, string shopId, int attempt, string sqlState);

    [LoggerMessage(5003, LogLevel.Debug, "Bulk sync of shop {ShopId}: {Phase} took {Elapsed}.", EventName = "BulkSyncPhase")]
    public static partial void BulkSyncPhase(ILogger logger, string shopId, string phase, TimeSpan elapsed);

    [LoggerMessage(5007, LogLevel.Information, "Shop {ShopId} doubled its orders since the last statistics; the orders table was analyzed in {Elapsed}.", EventName = "OrdersAnalyzed")]
    public static partial void OrdersAnalyzed(ILogger logger, string shopId, TimeSpan elapsed);

    [LoggerMessage(5008, LogLevel.Warning, "The orders table could not be analyzed for shop {ShopId}, which doubled; its next write tries again.", EventName = "OrdersAnalyzeFailed")]
    public static partial void OrdersAnalyzeFailed(ILogger logger, string shopId, Exception exception);
}
