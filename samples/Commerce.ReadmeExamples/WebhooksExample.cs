// src/Commerce.Webhooks/README.md, "Receive" (with batch handlers), "Send" (with a transaction) and "Sign and verify by hand".
using Commerce.Webhooks;
using Npgsql;

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

    public static void RegisterBatches(WebApplicationBuilder builder) =>
        builder.Services.AddCommerceWebhooks().AddBatchHandler<OrdersBatchHandler>("orders.created", maxBatchSize: 200);

    public static async Task SendAsync(IWebhookSender sender)
    {
        var endpoint = await sender.AddEndpointAsync(new Uri("https://partner.example/webhooks/?tenant=7"),  // query kept
            eventTypes: ["orders.created", "orders.paid"], description: "ERP");                          // generates a secret
        Console.WriteLine(endpoint.Secrets[0]);                                                          // give it to the partner

        await sender.SendAsync(endpoint.Id, "orders.created", new { orderId = "o-1", total = 12.5m }, path: "orders/created");
        await sender.PublishAsync("orders.paid", new { orderId = "o-1" });   // one message per endpoint that takes the type
    }

    public static async Task SendInTransactionAsync(IWebhookSender sender, NpgsqlConnection connection, WebhookEndpoint endpoint, OrderCreated order)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await SaveOrderAsync(order, transaction);
        await sender.SendAsync(endpoint.Id, "orders.created", order, transaction);
        await transaction.CommitAsync();   // the dispatcher is woken by the commit; a rollback sends nothing
    }

    private static async Task SaveOrderAsync(OrderCreated order, NpgsqlTransaction transaction)
    {
        await using var insert = new NpgsqlCommand("insert into orders (id, total) values ($1, $2)", transaction.Connection, transaction);
        insert.Parameters.Add(new() { Value = order.OrderId });
        insert.Parameters.Add(new() { Value = order.Total });
        await insert.ExecuteNonQueryAsync();
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
    // Runs from the inbox, after the sender got its 2xx. Throwing retries it later; throwing WebhookPayloadException
    // parks it dead at once ("this can never work"). Make it idempotent: (message.Source, message.MessageId) identifies
    // it, message.Timestamp orders events.
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

/// <summary>The application's order storage, as the batch example uses it.</summary>
public interface IOrdersStore
{
    bool KnowsShop(WebhookMessage message);

    Task ApplyAsync(IEnumerable<WebhookMessage> messages, CancellationToken cancellationToken);
}

public sealed class OrdersBatchHandler(IOrdersStore db) : IWebhookBatchHandler
{
    public async ValueTask HandleAsync(WebhookBatch batch, CancellationToken cancellationToken)
    {
        foreach (var message in batch.Messages)
        {
            if (!db.KnowsShop(message)) batch.Reject(message, "unknown shop");       // dead now
        }

        await db.ApplyAsync(batch.Messages.Where(m => !batch.Failures.ContainsKey(m.Id)), cancellationToken);
        // batch.Fail(message, error) retries one message later; throwing fails the whole batch.
    }
}
