namespace Commerce.Webhooks;

/// <summary>Changes to an endpoint (<see cref="IWebhookSender.UpdateEndpointAsync"/>); what is left null stays as it is.</summary>
public sealed class WebhookEndpointUpdate
{
    /// <summary>A new URL (absolute http or https).</summary>
    public Uri? Url { get; init; }

    /// <summary>New secrets, replacing the current ones (give old and new during a rotation).</summary>
    public IReadOnlyList<WebhookSecret>? Secrets { get; init; }

    /// <summary>The event types it receives from <see cref="IWebhookSender.PublishAsync"/>; empty for every type.</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }

    /// <summary>A new description.</summary>
    public string? Description { get; init; }

    /// <summary>Enable or disable it. Disabling keeps its pending messages; enabling delivers them.</summary>
    public bool? Enabled { get; init; }
}
