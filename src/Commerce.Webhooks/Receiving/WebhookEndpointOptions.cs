namespace Commerce.Webhooks;

/// <summary>Settings of one <c>MapWebhooks</c> endpoint.</summary>
public sealed class WebhookEndpointOptions
{
    /// <summary>
    /// The type to record when neither the envelope's <c>type</c> nor the scheme's event header names one. Null uses the
    /// route value <c>type</c> if the pattern has one.
    /// </summary>
    public string? Type { get; set; }

    /// <summary>
    /// The route decides the type: a webhook whose headers or envelope name a type other than <see cref="Type"/> is
    /// answered 422 and not stored (rather than acknowledged under a type no handler expects). Default false.
    /// </summary>
    public bool RequireType { get; set; }

    /// <summary>
    /// Run the handlers in the request, after the message is committed, and answer 200 when they succeed. A failure is
    /// still acknowledged (202) and retried in the background. Default false: answer 202 as soon as it is committed.
    /// </summary>
    public bool ProcessInline { get; set; }
}
