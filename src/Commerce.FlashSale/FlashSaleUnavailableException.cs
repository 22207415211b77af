namespace Commerce.FlashSale;

/// <summary>Redis or PostgreSQL could not be reached or answered with an error. Nothing was changed by the failed call.</summary>
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
}
