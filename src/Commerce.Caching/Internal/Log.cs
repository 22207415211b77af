using Microsoft.Extensions.Logging;

namespace Commerce.Caching.Internal;

/// <summary>Log messages of Commerce.Caching. Event ids 1000-1099; names are a contract once shipped.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Warning, "Redis operation {Operation} failed; falling back without Redis.", EventName = "RedisOperationFailed")]
    public static partial void RedisOperationFailed(ILogger logger, string operation, Exception exception);

    [LoggerMessage(1001, LogLevel.Warning, "Redis circuit breaker opened after {Failures} consecutive failures; Redis is skipped for {Duration}.", EventName = "CircuitBreakerOpened")]
    public static partial void CircuitBreakerOpened(ILogger logger, int failures, TimeSpan duration);

    [LoggerMessage(1002, LogLevel.Information, "Redis circuit breaker closed; Redis is used again.", EventName = "CircuitBreakerClosed")]
    public static partial void CircuitBreakerClosed(ILogger logger);

    [LoggerMessage(1003, LogLevel.Warning, "Invalidation channel lost ({Reason}); memory entries are no longer trusted until it is back.", EventName = "InvalidationChannelLost")]
    public static partial void InvalidationChannelLost(ILogger logger, string reason);

    [LoggerMessage(1004, LogLevel.Information, "Invalidation channel restored.", EventName = "InvalidationChannelRestored")]
    public static partial void InvalidationChannelRestored(ILogger logger);

    [LoggerMessage(1005, LogLevel.Warning, "Invalidation of {Kind} '{Name}' could not reach Redis; applied locally and queued.", EventName = "InvalidationQueued")]
    public static partial void InvalidationQueued(ILogger logger, string kind, string name);

    [LoggerMessage(1006, LogLevel.Information, "Sent {Count} invalidations that were queued while Redis was unreachable.", EventName = "InvalidationsReplayed")]
    public static partial void InvalidationsReplayed(ILogger logger, int count);

    [LoggerMessage(1007, LogLevel.Warning, "Factory for key '{Key}' failed; serving the last good value (fail-safe).", EventName = "StaleServed")]
    public static partial void StaleServed(ILogger logger, string key, Exception exception);

    [LoggerMessage(1008, LogLevel.Warning, "Value for key '{Key}' is {Size} bytes, above MaximumPayloadBytes ({Maximum}); returned but not cached.", EventName = "PayloadTooLarge")]
    public static partial void PayloadTooLarge(ILogger logger, string key, int size, int maximum);

    [LoggerMessage(1009, LogLevel.Warning, "Cached value for key '{Key}' could not be read; treating it as a miss.", EventName = "DeserializationFailed")]
    public static partial void DeserializationFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(1010, LogLevel.Warning, "Could not subscribe to the invalidation channel; will retry.", EventName = "SubscribeFailed")]
    public static partial void SubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(1011, LogLevel.Warning, "Cache key is {Problem}; the cache is bypassed for it (the factory's value is returned, nothing is cached).", EventName = "KeyRejected")]
    public static partial void KeyRejected(ILogger logger, string problem);

    [LoggerMessage(1012, LogLevel.Warning, "Value for key '{Key}' could not be serialized; returned but not cached.", EventName = "SerializationFailed")]
    public static partial void SerializationFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(1013, LogLevel.Warning, "Cache warm-up of {Key} failed; it loads on first use instead.", EventName = "WarmupEntryFailed")]
    public static partial void WarmupEntryFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(1014, LogLevel.Information, "Cache warm-up finished: {Warmed} entries warmed, {Failed} failed.", EventName = "WarmupFinished")]
    public static partial void WarmupFinished(ILogger logger, int warmed, int failed);
}
