using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>Redis failures, as the package reports them.</summary>
internal static class RedisErrors
{
    /// <summary>Runs a read or a background operation: a failure is <see cref="FlashSaleUnavailableException"/>.</summary>
    public static Task<T> RunAsync<T>(Func<Task<T>> operation) => RunAsync(operation, change: null, reservationId: null);

    /// <summary>
    /// Runs a state change: a failure after the script may have reached Redis (a timeout, a connection lost while waiting)
    /// is reported as ambiguous, naming the reservation id to retry with.
    /// </summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> operation, string? change, string? reservationId)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (RedisTimeoutException e)
        {
            throw Unavailable(change, reservationId, "Redis did not answer in time", e);
        }
        catch (RedisConnectionException e)
        {
            throw Unavailable(change, reservationId, "The Redis connection failed", e);
        }
        catch (TimeoutException e)
        {
            throw Unavailable(change, reservationId, "Redis did not answer in time", e);
        }
        catch (RedisException e)
        {
            throw new FlashSaleUnavailableException("Redis failed: " + e.Message, e);
        }
    }

    private static FlashSaleUnavailableException Unavailable(string? change, string? reservationId, string what, Exception e) =>
        change is null
            ? new FlashSaleUnavailableException($"{what}: {e.Message}", e)
            : new FlashSaleUnavailableException(
                $"{what}; the {change} may or may not have been applied. Retry with the same reservation id ('{reservationId}'): a retry answers what happened and never applies it twice. ({e.Message})",
                e)
            {
                MayHaveApplied = true,
                ReservationId = reservationId,
            };
}
