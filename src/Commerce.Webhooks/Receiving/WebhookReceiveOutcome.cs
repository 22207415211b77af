namespace Commerce.Webhooks;

/// <summary>What receiving a webhook did.</summary>
public enum WebhookReceiveOutcome
{
    /// <summary>Verified and committed to the inbox (HTTP 202).</summary>
    Accepted,

    /// <summary>Verified, committed and handled inline successfully (HTTP 200).</summary>
    Processed,

    /// <summary>Verified, but a message with this id from this source was already received: acknowledged, not processed again (HTTP 200).</summary>
    Duplicate,

    /// <summary>Failed verification: nothing stored (HTTP 401).</summary>
    Rejected,

    /// <summary>Authentic, but its message id can't be a dedupe key (see <see cref="WebhookVerificationFailure.InvalidMessageId"/>): nothing stored (HTTP 400).</summary>
    Invalid,

    /// <summary>
    /// Authentic, but its type is not the endpoint's or a payload validator found it unusable
    /// (<see cref="WebhookReceiveResult.Errors"/>): nothing stored (HTTP 422).
    /// </summary>
    Unprocessable,
}
