using System.Security.Claims;
using Commerce.Notifications;

namespace Commerce.SampleHost;

/// <summary>
/// Who may join which real-time room: <c>shop:{id}</c> (the seller's dashboard) for a user of that shop, and
/// <c>flash_sale:{id}</c> (a sale's live stock and countdown, public sale data) for anyone signed in. An SSE stream
/// that names no room joins the user's shop room.
/// </summary>
public sealed class HostRoomAuthorizer : INotificationRoomAuthorizer
{
    public ValueTask<bool> CanJoinAsync(ClaimsPrincipal user, string room, CancellationToken cancellationToken)
    {
        var allowed = room.StartsWith("shop:", StringComparison.Ordinal)
            ? user.OwnsShop(room["shop:".Length..])
            : room.StartsWith(FlashSaleRooms.Prefix, StringComparison.Ordinal)
                && Guid.TryParse(room[FlashSaleRooms.Prefix.Length..], out _)
                && user.Identity?.IsAuthenticated == true;
        return ValueTask.FromResult(allowed);
    }

    /// <summary>A seller's (or admin's) SSE stream without <c>?room=</c> carries the user's shop room (<c>dashboard_update</c>, <c>product_update</c>, <c>inventory_update</c>).</summary>
    public IEnumerable<string> DefaultRooms(ClaimsPrincipal user) =>
        user.FindFirst("shop_id")?.Value is { Length: > 0 } shop && (user.IsInRole("seller") || user.IsInRole("admin")) ? [$"shop:{shop}"] : [];
}
