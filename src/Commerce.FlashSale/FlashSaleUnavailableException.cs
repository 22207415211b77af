namespace Commerce.FlashSale;

/// <summary>
/// Redis or PostgreSQL could not be reached or answered with an error. When <see cref="MayHaveApplied"/> is false nothing
/// was changed by the failed call; when it is true (a state change that timed out after it may have reached Redis) the
/// change may or may not have happened: retry with the same <see cref="ReservationId"/>, which answers what happened and
/// never applies a change twice.
/// </summary>
public sealed class FlashSaleUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FlashSaleUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public FlashSaleUnavailableException(string message)
        : base(message)
    {
        IsTransient = true;
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The Redis or PostgreSQL error.</param>
    public FlashSaleUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
        IsTransient = innerException is StackExchange.Redis.RedisConnectionException or StackExchange.Redis.RedisTimeoutException or TimeoutException
            || (innerException is Npgsql.NpgsqlException npgsql && npgsql.IsTransient);
    }

    /// <summary>True when retrying later may succeed (a connection or timeout problem).</summary>
    public bool IsTransient { get; }

    /// <summary>
    /// True when the call was a state change that may have been applied before the failure (its reply was lost): retry it
    /// with the same <see cref="ReservationId"/> to learn the outcome.
    /// </summary>
    public bool MayHaveApplied { get; init; }

    /// <summary>The reservation id the failed call used (generated when the caller gave none): retry with it.</summary>
    public string? ReservationId { get; init; }
}
