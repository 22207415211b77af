namespace Commerce.Webhooks;

/// <summary>Where a received webhook is.</summary>
public enum InboxMessageStatus
{
    /// <summary>Waiting for (its next) processing attempt.</summary>
    Pending,

    /// <summary>Handled.</summary>
    Processed,

    /// <summary>Parked after too many failures, with its last error; replay it with <see cref="IWebhookInbox.ReplayAsync"/>.</summary>
    Dead,
}
