using System.Security.Claims;

namespace Commerce.Notifications;

/// <summary>
/// Decides on the server whether a user may join a room. The default allows <c>shop:{id}</c> to a user whose
/// <see cref="NotificationsOptions.ShopClaimType"/> claim is <c>{id}</c>, and nothing else.
/// </summary>
public interface INotificationRoomAuthorizer
{
    /// <summary>Whether <paramref name="user"/> may join <paramref name="room"/>.</summary>
    /// <param name="user">The connected user.</param>
    /// <param name="room">The room asked for.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True to allow.</returns>
    ValueTask<bool> CanJoinAsync(ClaimsPrincipal user, string room, CancellationToken cancellationToken);

    /// <summary>
    /// The rooms an SSE stream of <paramref name="user"/> joins when it names none with <c>?room=</c> (for example the
    /// user's shop, so a dashboard gets its live events without asking). Each is still checked with
    /// <see cref="CanJoinAsync"/>. Default: none.
    /// </summary>
    /// <param name="user">The connected user.</param>
    /// <returns>The rooms.</returns>
    IEnumerable<string> DefaultRooms(ClaimsPrincipal user) => [];
}
