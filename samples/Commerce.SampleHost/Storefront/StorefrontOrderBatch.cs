using System.Text.Json;
using Commerce.Analytics;
using Commerce.Caching;
using Commerce.Notifications;
using Commerce.Webhooks;

namespace Commerce.SampleHost;

/// <summary>
/// <c>orders.created</c> and <c>orders.updated</c> a batch at a time, so a hot shop keeps up: the batch's orders of
/// each shop go to analytics in one transaction (<see cref="IAnalyticsIngestion.UpsertOrdersAsync"/>: the same rules as
/// one at a time, its summary rows written once), then the shop's cached reports are invalidated and its dashboard
/// told once per batch; a batch spanning several shops runs up to four of them at once. Each message keeps its own
/// outcome: one that can't be read, or that analytics refuses, is parked dead alone (the shop's other orders are
/// applied one at a time then); a storage failure retries the batch.
/// </summary>
public sealed class StorefrontOrderBatch(IAnalyticsIngestion analytics, CommerceCache cache, INotificationService notifications) : IWebhookBatchHandler
{
    private const int ShopsAtOnce = 4;

    public async ValueTask HandleAsync(WebhookBatch batch, CancellationToken cancellationToken)
    {
        var byShop = new Dictionary<string, List<(WebhookMessage Message, OrderSnapshot Order)>>(StringComparer.Ordinal);
        foreach (var message in batch.Messages)
        {
            try
            {
                var order = StorefrontProjection.ToSnapshot(message.GetData<OrderPayload>(StorefrontProjection.Json));
                if (!byShop.TryGetValue(order.ShopId, out var list))
                {
                    byShop[order.ShopId] = list = [];
                }

                list.Add((message, order));
            }
            catch (Exception e) when (e is JsonException or AnalyticsValidationException or NullReferenceException)
            {
                batch.Reject(message, $"The {message.Type} payload does not fit: {e.Message}");
            }
        }

        // Shops are independent (each its own transaction and lock), so a batch spanning many runs a few at a time.
        await Parallel.ForEachAsync(byShop, new ParallelOptions { MaxDegreeOfParallelism = ShopsAtOnce, CancellationToken = cancellationToken }, async (entry, ct) =>
        {
            var (shopId, orders) = (entry.Key, entry.Value);
            try
            {
                await analytics.UpsertOrdersAsync(shopId, orders.Select(o => o.Order).ToList(), ct);
            }
            catch (AnalyticsValidationException)
            {
                // Some order breaks a rule: find it by applying them one at a time; only it is parked dead.
                foreach (var (message, order) in orders)
                {
                    try
                    {
                        await analytics.UpsertOrderAsync(order, ct);
                    }
                    catch (AnalyticsValidationException e)
                    {
                        batch.Reject(message, StorefrontProjection.BreaksARule(message, e));
                    }
                }
            }

            await cache.InvalidateScopeAsync(ReportCache.Scope(shopId), ct);
            await notifications.PublishRoomEventAsync($"shop:{shopId}", "dashboard_update", new { webhook = "orders.batch", orders = orders.Count }, ct);
        });
    }
}
