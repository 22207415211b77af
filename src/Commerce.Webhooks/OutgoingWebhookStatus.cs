namespace Commerce.Webhooks;

/// <summary>Where a message accepted for sending is.</summary>
public enum OutgoingWebhookStatus
{
    /// <summary>Waiting for its (next) delivery attempt.</summary>
    Pending,

    /// <summary>Acknowledged with a 2xx by the endpoint.</summary>
    Delivered,

    /// <summary>Given up: attempts exhausted, or the endpoint answered 410 Gone or was disabled.</summary>
    Failed,
}
