namespace Commerce.Webhooks;

/// <summary>
/// Thrown by a handler to say a message can never be handled, so retrying won't help (a payload of the wrong shape, an
/// event for an unknown shop): the message is parked dead at once with this message as its error, instead of being
/// retried up to <see cref="WebhooksOptions.MaxAttempts"/>. The package throws it too, for a payload that does not fit a
/// typed handler and for a type nobody handles. Any other exception means "try again later".
/// </summary>
public sealed class WebhookPayloadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WebhookPayloadException()
    {
    }

    /// <summary>Creates the exception with a reason.</summary>
    /// <param name="message">Why the message can't be handled; kept as its last error.</param>
    public WebhookPayloadException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a reason and its cause.</summary>
    /// <param name="message">Why the message can't be handled.</param>
    /// <param name="innerException">The cause, for example a <see cref="System.Text.Json.JsonException"/>.</param>
    public WebhookPayloadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
