namespace Commerce.Webhooks;

/// <summary>PostgreSQL could not be reached or failed; nothing was stored by the failed call.</summary>
public sealed class WebhooksUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WebhooksUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public WebhooksUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The PostgreSQL error.</param>
    public WebhooksUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
        IsTransient = innerException is Npgsql.NpgsqlException { IsTransient: true } or TimeoutException;
    }

    /// <summary>True when retrying later may succeed.</summary>
    public bool IsTransient { get; }
}
