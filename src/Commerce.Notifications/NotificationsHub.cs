using Commerce.Notifications.Internal;
using Microsoft.AspNetCore.SignalR;

namespace Commerce.Notifications;

/// <summary>
/// The SignalR hub (map it with <c>MapNotificationsHub</c>). A connected user receives its notifications as
/// <c>notification</c> (in sequence order), events of joined rooms as <c>roomEvent</c>, <c>resync</c> when it
/// should reload a room, and <c>disconnected</c> (with a reason) before the server ends the connection. Connect with <c>?after=&lt;last sequence&gt;</c>, or call <see cref="Resume"/>, to get what was
/// missed first. Authentication is the host's: put <c>RequireAuthorization()</c> on the mapping.
/// </summary>
public sealed class NotificationsHub : Hub
{
    /// <summary>Client method receiving a <see cref="Notification"/>.</summary>
    public const string NotificationMethod = "notification";

    /// <summary>Client method receiving a <see cref="RoomEvent"/>.</summary>
    public const string RoomEventMethod = "roomEvent";

    /// <summary>Client method receiving <c>{ room }</c>: reload that room's data.</summary>
    public const string ResyncMethod = "resync";

    private readonly SignalRSubscriptions _subscriptions;

    /// <summary>Created by SignalR.</summary>
    /// <param name="services">The application's services.</param>
    public NotificationsHub(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        _subscriptions = (SignalRSubscriptions)services.GetService(typeof(SignalRSubscriptions))!;
    }

    /// <inheritdoc />
    public override async Task OnConnectedAsync()
    {
        var recipient = _subscriptions.UserId(Context.User);
        if (recipient is null)
        {
            throw new HubException("The connection has no user id claim.");
        }

        long? after = null;
        if (Context.GetHttpContext()?.Request.Query["after"].ToString() is { Length: > 0 } text)
        {
            after = long.TryParse(text, out var value) && value >= 0 ? value : throw new HubException("'after' must be a sequence number.");
        }

        await _subscriptions.OpenAsync(Context, recipient, after, Context.ConnectionAborted).ConfigureAwait(false);
        await base.OnConnectedAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        await _subscriptions.CloseAsync(Context.ConnectionId).ConfigureAwait(false);
        await base.OnDisconnectedAsync(exception).ConfigureAwait(false);
    }

    /// <summary>Joins a room; fails with a <see cref="HubException"/> when the user may not.</summary>
    /// <param name="room">The room, for example <c>shop:42</c>.</param>
    /// <returns>A task that completes when joined.</returns>
    public async Task JoinRoom(string room)
    {
        bool joined;
        try
        {
            joined = await _subscriptions.Get(Context.ConnectionId).JoinRoomAsync(Context.User!, room, Context.ConnectionAborted).ConfigureAwait(false);
        }
        catch (NotificationValidationException e)
        {
            throw new HubException(e.Message);
        }

        if (!joined)
        {
            throw new HubException($"Not allowed to join '{room}'.");
        }
    }

    /// <summary>Leaves a room.</summary>
    /// <param name="room">The room.</param>
    /// <returns>A task that completes when left.</returns>
    public Task LeaveRoom(string room) => _subscriptions.Get(Context.ConnectionId).LeaveRoomAsync(room);

    /// <summary>
    /// The sequence of the last notification handed to this connection. Hub methods run after the connection's
    /// subscription is in place, so a client that awaits this right after connecting knows that every notification
    /// created from then on reaches it (SignalR completes the handshake before <see cref="OnConnectedAsync"/> ends).
    /// </summary>
    /// <returns>The position.</returns>
    public long Position() => _subscriptions.Get(Context.ConnectionId).Position;

    /// <summary>Delivers what is stored after <paramref name="afterSequence"/>, then live notifications; rooms get a resync.</summary>
    /// <param name="afterSequence">The last sequence the client has.</param>
    public void Resume(long afterSequence) => _subscriptions.Get(Context.ConnectionId).Resume(afterSequence);
}
