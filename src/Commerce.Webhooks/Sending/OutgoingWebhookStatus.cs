namespace Commerce.Webhooks;

/// <summary>Where a message accepted for sending is.</summary>
public enum OutgoingWebhookStatus
{
    /// <summary>Waiting for its (next) delivery attempt; also while its endpoint is disabled.</summary>
    Pending,

    /// <summary>Acknowledged with a 2xx by the endpoint.</summary>
    Delivered,

    /// <summary>Given up: attempts exhausted, the endpoint answered 410 Gone, or its address is refused. Send it again with <see cref="IWebhookSender.ResendAsync"/> or <see cref="IWebhookSender.RecoverAsync"/>.</summary>
    Failed,
}
