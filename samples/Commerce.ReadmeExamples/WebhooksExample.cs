// src/Commerce.Webhooks/README.md, "Receive", "Send" and "Sign and verify by hand".
using Commerce.Webhooks;

namespace Commerce.ReadmeExamples;

public static class WebhooksRegistration
{
    public static void Register(WebApplicationBuilder builder)
    {
        builder.Services.AddCommerceWebhooks(builder.Configuration.GetSection("Commerce:Webhooks"))
            .WithPostgres(builder.Configuration.GetConnectionString("Postgres")!)
            .AddSource("storefront", s => s.Secrets = ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])   // several during a rotation
            .AddSource("github", s => { s.Scheme = WebhookScheme.GitHub; s.Secrets = ["my-github-secret"]; })
            .AddHandler<OrderCreated, OrderCreatedHandler>("orders.created")
            .AddHandler<AuditHandler>("*");                                // every type

        var app = builder.Build();
        app.MapWebhooks("/api/webhooks/{type}", "storefront");
        app.MapWebhooks("/api/github", "github");
    }

    public static async Task SendAsync(IWebhookSender sender)
    {
        var endpoint = await sender.AddEndpointAsync(new Uri("https://partner.example/webhooks/"));   // generates a secret
        Console.WriteLine(endpoint.Secrets[0]);                                                       // give it to the partner

        await sender.SendAsync(endpoint.Id, "orders.created", new { orderId = "o-1", total = 12.5m }, path: "orders/created");
    }

    public static bool Verify(HttpRequest request, byte[] body, string messageId, string secret)
    {
        var signature = StandardWebhookSigner.Sign(messageId, DateTimeOffset.UtcNow, body, WebhookSecret.Parse(secret));
        var result = new StandardWebhookVerifier([WebhookSecret.Parse(secret)]).Verify(request.Headers, body);
        return signature.Length > 0 && result.IsValid;
    }
}

public sealed record OrderCreated(string OrderId, decimal Total);

public sealed class OrderCreatedHandler(ILogger<OrderCreatedHandler> logger) : IWebhookHandler<OrderCreated>
{
    // Runs from the inbox, after the sender got its 2xx. Throwing retries it later; at least once, so be idempotent:
    // (message.Source, message.MessageId) identifies it, message.Timestamp orders events.
    public ValueTask HandleAsync(WebhookMessage message, OrderCreated order, CancellationToken cancellationToken)
    {
        logger.LogInformation("Order {OrderId} for {Total} (event at {At})", order.OrderId, order.Total, message.Timestamp);
        return ValueTask.CompletedTask;
    }
}

public sealed class AuditHandler : IWebhookHandler
{
    public ValueTask HandleAsync(WebhookMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
