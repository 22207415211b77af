namespace Commerce.Webhooks;

/// <summary>How <see cref="IWebhookReceiver.ReceiveAsync"/> treats one webhook.</summary>
public sealed class WebhookReceiveOptions
{
    /// <summary>The type to record when neither the body nor the headers name one.</summary>
    public string? FallbackType { get; init; }

    /// <summary>
    /// The only type accepted (for an endpoint whose route decides the type): a webhook whose headers or envelope name
    /// another type is answered <see cref="WebhookReceiveOutcome.Unprocessable"/> and not stored; one that names none
    /// is recorded with this type. Null accepts any type.
    /// </summary>
    public string? RequiredType { get; init; }

    /// <summary>Run the handlers now, before returning, instead of in the background.</summary>
    public bool ProcessInline { get; init; }
}
