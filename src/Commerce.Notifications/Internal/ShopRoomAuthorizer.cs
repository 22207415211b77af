using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace Commerce.Notifications.Internal;

/// <summary>The default room rule: <c>shop:{id}</c> for a user whose shop claim is <c>{id}</c>; nothing else.</summary>
internal sealed class ShopRoomAuthorizer(IOptions<NotificationsOptions> options) : INotificationRoomAuthorizer
{
    public ValueTask<bool> CanJoinAsync(ClaimsPrincipal user, string room, CancellationToken cancellationToken)
    {
        const string prefix = "shop:";
        var allowed = room.StartsWith(prefix, StringComparison.Ordinal)
            && room.Length > prefix.Length
            && user.FindAll(options.Value.ShopClaimType).Any(c => string.Equals(c.Value, room[prefix.Length..], StringComparison.Ordinal));
        return ValueTask.FromResult(allowed);
    }
}
