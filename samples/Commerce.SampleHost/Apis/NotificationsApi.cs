using System.Security.Claims;
using Commerce.Notifications;

namespace Commerce.SampleHost;

/// <summary>The caller's notifications, and the real-time endpoints (SignalR hub, SSE stream) for them and its shop's room.</summary>
public static class NotificationsApi
{
    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/notifications").RequireAuthorization().WithTags("Notifications");
        api.MapGet("/", async (long? before, int? limit, bool? unreadOnly, ClaimsPrincipal user, INotificationService service, CancellationToken ct) =>
            TypedResults.Ok(await service.GetPageAsync(user.UserId()!, before, limit ?? 20, unreadOnly ?? false, ct)))
            .WithSummary("A page of the caller's notifications, newest first (pass nextBefore as before for the next page).");
        api.MapGet("/unread-count", async (ClaimsPrincipal user, INotificationService service, CancellationToken ct) =>
            TypedResults.Ok(new { count = await service.GetUnreadCountAsync(user.UserId()!, ct) }));
        api.MapPost("/{id:long}/read", async (long id, ClaimsPrincipal user, INotificationService service, CancellationToken ct) =>
            TypedResults.Ok(new { marked = await service.MarkReadAsync(user.UserId()!, id, ct) }));
        api.MapPost("/read-all", async (ClaimsPrincipal user, INotificationService service, CancellationToken ct) =>
            TypedResults.Ok(new { marked = await service.MarkAllReadAsync(user.UserId()!, ct) }));
        app.MapNotificationStream("/api/notifications/stream").RequireAuthorization().WithTags("Notifications");
        app.MapNotificationsHub("/hubs/notifications").RequireAuthorization();
        return app;
    }
}
