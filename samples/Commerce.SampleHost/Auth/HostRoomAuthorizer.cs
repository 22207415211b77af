using System.Security.Claims;
using Commerce.Notifications;

namespace Commerce.SampleHost;

/// <summary>
/// Who may join which real-time room: <c>shop:{id}</c> (the seller's dashboard) for a user of that shop, and
/// <c>flash_sale:{id}</c> (a sale's live stock and countdown, public sale data) for anyone signed in.
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
}
