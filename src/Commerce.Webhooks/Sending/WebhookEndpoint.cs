namespace Commerce.Webhooks;

/// <summary>A receiver this application sends webhooks to.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Url">Its URL; a message's path, if any, is appended to its path, and its query string is kept.</param>
/// <param name="Secrets">Its active secrets (<c>whsec_...</c>); every delivery is signed with each.</param>
/// <param name="Enabled">False once it answered 410 Gone, or was disabled; its pending messages wait, they are not dropped.</param>
/// <param name="DisabledReason">Why it was disabled.</param>
/// <param name="EventTypes">The event types it receives from <see cref="IWebhookSender.PublishAsync"/>; empty for every type.</param>
/// <param name="Description">A note for operators.</param>
public sealed record WebhookEndpoint(
    Guid Id,
    Uri Url,
    IReadOnlyList<string> Secrets,
    bool Enabled,
    string? DisabledReason,
    IReadOnlyList<string> EventTypes,
    string? Description);
