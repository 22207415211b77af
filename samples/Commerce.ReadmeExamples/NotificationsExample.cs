// src/Commerce.Notifications/README.md, "Usage".
using System.Text.Json;
using Commerce.Notifications;

namespace Commerce.ReadmeExamples;

public static class NotificationsRegistration
{
    public static void Register(WebApplicationBuilder builder)
    {
        builder.Services.AddCommerceNotifications(builder.Configuration.GetSection("Commerce:Notifications"))
            .WithRedis(builder.Configuration.GetConnectionString("Redis")!)
            .WithPostgres(builder.Configuration.GetConnectionString("Postgres")!)       // migrations applied at start
            .AddSmtpEmail(builder.Configuration.GetSection("Commerce:Smtp"));           // optional "email" channel

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapNotificationsHub("/hubs/notifications").RequireAuthorization();
        app.MapNotificationStream("/api/notifications/stream").RequireAuthorization();
    }
}

public sealed class OrderNotifier(INotificationService notifications)
{
    public async Task OrderShippedAsync(string userId, string orderId, CancellationToken ct)
    {
        // Durable when this returns; delivered live to every connection of the user, on any instance.
        await notifications.CreateAsync(new NotificationRequest
        {
            RecipientId = userId,
            Type = "order_status",
            Title = $"Order {orderId} shipped",
            Data = JsonSerializer.SerializeToElement(new { orderId }),
            Channels = new Dictionary<string, string> { ["email"] = "buyer@example.com" },   // optional
            IdempotencyKey = $"order-{orderId}-shipped",   // a retried handler sends it once
        }, ct);

        // Best-effort live event for everyone watching the shop's dashboard.
        await notifications.PublishRoomEventAsync("shop:42", "dashboard_update", new { orderId }, ct);

        // A promotion to many users: queued, created in batches in the background.
        var job = await notifications.EnqueueBulkAsync(new BulkNotificationRequest
        {
            RecipientIds = ["u1", "u2", "u3"], Type = "promotion", Title = "Flash sale at noon",
        }, ct);
        _ = await notifications.GetBulkStatusAsync(job, ct);

        var page = await notifications.GetPageAsync(userId, limit: 20, cancellationToken: ct);   // newest first, with UnreadCount
        await notifications.MarkReadAsync(userId, page.Items[0].Id, ct);
        await notifications.MarkAllReadAsync(userId, ct);
    }
}
