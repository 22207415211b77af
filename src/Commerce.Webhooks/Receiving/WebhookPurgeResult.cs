namespace Commerce.Webhooks;

/// <summary>What one retention pass over the inbox removed (<see cref="IWebhookInbox.PurgeAsync"/>).</summary>
/// <param name="BodiesPurged">Processed messages whose body and headers were dropped (their rows still deduplicate).</param>
/// <param name="RowsDeleted">Processed messages deleted, past the deduplication window.</param>
public sealed record WebhookPurgeResult(long BodiesPurged, long RowsDeleted);
