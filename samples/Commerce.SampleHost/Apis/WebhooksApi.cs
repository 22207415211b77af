using Commerce.Webhooks;

namespace Commerce.SampleHost;

/// <summary>
/// The storefront's webhooks, one route per event (docs/webhooks.md): verified (Standard Webhooks, secrets from
/// <c>Commerce:Webhooks:Secrets</c>), checked at the door (the route decides the type; <see cref="StorefrontPayloadValidator"/>
/// answers 422 with field errors for a payload the projection can't use), committed to the inbox, acknowledged, then
/// projected by <see cref="StorefrontProjection"/>.
/// </summary>
public static class WebhooksApi
{
    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        foreach (var (route, type) in StorefrontEvents.Routes)
        {
            app.MapWebhooks($"/api/webhooks/{route}", CommerceServices.Storefront, o =>
                {
                    o.Type = type;
                    o.RequireType = true;
                    // A payment is confirmed before the storefront is answered (200), so no inbox backlog can outlast the
                    // hold; if that fails it is still stored, answered 202 and retried in the background.
                    o.ProcessInline = type == "payments.succeeded";
                })
                .WithTags("Webhooks")
                .WithSummary($"Receives {type}.");
        }

        return app;
    }
}
