namespace Commerce.Webhooks;

/// <summary>Why a webhook failed verification.</summary>
public enum WebhookVerificationFailure
{
    /// <summary>It did not fail.</summary>
    None,

    /// <summary>A required header is missing or empty.</summary>
    MissingHeader,

    /// <summary>The timestamp header is not a number of seconds.</summary>
    MalformedTimestamp,

    /// <summary>The timestamp is older than the tolerance allows: a replay or a very late retry.</summary>
    TimestampTooOld,

    /// <summary>The timestamp is further in the future than the tolerance allows.</summary>
    TimestampInFuture,

    /// <summary>No signature matched any of the source's secrets or public keys.</summary>
    NoValidSignature,

    /// <summary>Nothing was verified: the result is a default value, not one a verifier returned. Never valid.</summary>
    NotVerified,

    /// <summary>
    /// The signature is valid, but the message id is not usable as a dedupe key (empty, longer than
    /// <see cref="WebhookVerificationResult.MaxMessageIdLength"/>, or holding <c>.</c> or a control character): HTTP 400.
    /// </summary>
    InvalidMessageId,
}
