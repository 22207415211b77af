using System.Security.Claims;

namespace Commerce.Notifications.Internal;

/// <summary>Reads the user id and shop from claims, by the configured claim types.</summary>
internal static class ClaimsUser
{
    public static string? UserId(ClaimsPrincipal? user, NotificationsOptions options) =>
        user?.FindFirst(options.UserIdClaimType)?.Value is { Length: > 0 } id ? id
        : user?.FindFirst(ClaimTypes.NameIdentifier)?.Value is { Length: > 0 } nameId ? nameId
        : null;
}
