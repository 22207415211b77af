using Commerce.Notifications;
using Commerce.Notifications.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the real-time endpoints of Commerce.Notifications.</summary>
public static class NotificationEndpointRouteBuilderExtensions
{
    /// <summary>Maps the SignalR hub, for example at <c>/hubs/notifications</c>.</summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="pattern">The route.</param>
    /// <returns>A builder for conventions, for example <c>RequireAuthorization()</c>.</returns>
    public static HubEndpointConventionBuilder MapNotificationsHub(this IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapHub<NotificationsHub>(pattern);
    }

    /// <summary>
    /// Maps the Server-Sent Events stream (GET), for example at <c>/api/notifications/stream</c>: the user's notifications
    /// (<c>id:</c> is the sequence; <c>Last-Event-ID</c> or <c>?lastEventId=</c> resumes), events of the rooms named by
    /// <c>?room=</c> (403 when not allowed), <c>resync</c> signals and heartbeats.
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="pattern">The route.</param>
    /// <returns>A builder for conventions, for example <c>RequireAuthorization()</c>.</returns>
    public static IEndpointConventionBuilder MapNotificationStream(this IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet(pattern, NotificationStreamEndpoint.HandleAsync);
    }
}
