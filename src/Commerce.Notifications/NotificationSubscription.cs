using System.Security.Claims;
using System.Threading.Channels;
using Commerce.Notifications.Internal;

namespace Commerce.Notifications;

/// <summary>
/// A client's live stream on this instance (from <see cref="INotificationStreams.SubscribeAsync"/>): its notifications
/// in sequence order and the events of the rooms it joined. Dispose it when the client disconnects.
/// </summary>
public sealed class NotificationSubscription : IAsyncDisposable
{
    private readonly LocalSubscriber _subscriber;
    private readonly NotificationFanout _fanout;
    private readonly INotificationRoomAuthorizer _authorizer;
    private readonly int _maxRooms;
    private int _disposed;

    internal NotificationSubscription(LocalSubscriber subscriber, NotificationFanout fanout, INotificationRoomAuthorizer authorizer, int maxRooms)
    {
        _subscriber = subscriber;
        _fanout = fanout;
        _authorizer = authorizer;
        _maxRooms = maxRooms;
    }

    /// <summary>The user.</summary>
    public string RecipientId => _subscriber.RecipientId;

    /// <summary>The sequence of the last notification handed to <see cref="Items"/>.</summary>
    public long Position => _subscriber.Position;

    /// <summary>The position the stream started from: every notification it hands out comes after it (an SSE stream's opening id).</summary>
    public long StartPosition => _subscriber.StartPosition;

    /// <summary>Why the server ended this stream (<see cref="INotificationStreams.DisconnectAsync"/>), once it did; <see cref="Items"/> then completes.</summary>
    public string? DisconnectReason => _subscriber.DisconnectReason;

    /// <summary>The rooms joined.</summary>
    public IReadOnlyList<string> Rooms => _subscriber.Rooms;

    /// <summary>What to send to the client, in order.</summary>
    public ChannelReader<NotificationStreamItem> Items => _subscriber.Items;

    /// <summary>Joins a room if <paramref name="user"/> may (checked by the registered <see cref="INotificationRoomAuthorizer"/>).</summary>
    /// <param name="user">The connected user.</param>
    /// <param name="room">The room, for example <c>shop:42</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when the user may not join; nothing changed.</returns>
    /// <exception cref="NotificationValidationException">The connection already joined <see cref="NotificationsOptions.MaxRoomsPerConnection"/> rooms.</exception>
    public async Task<bool> JoinRoomAsync(ClaimsPrincipal user, string room, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (string.IsNullOrWhiteSpace(room) || room.Length > NotificationValidation.MaxIdLength
            || !await _authorizer.CanJoinAsync(user, room, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        if (_subscriber.RoomCount >= _maxRooms && !_subscriber.Rooms.Contains(room, StringComparer.Ordinal))
        {
            throw new NotificationValidationException(new Dictionary<string, string[]>
            {
                ["room"] = [$"A connection may join at most {_maxRooms} rooms."],
            });
        }

        await _fanout.JoinRoomAsync(_subscriber, room, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Leaves a room.</summary>
    /// <param name="room">The room.</param>
    /// <returns>A task that completes when left.</returns>
    public Task LeaveRoomAsync(string room)
    {
        _fanout.LeaveRoom(_subscriber, room);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The client has everything up to <paramref name="afterSequence"/> (after a reconnect): what it lacks is delivered
    /// next, then live notifications; every joined room gets a resync signal. Only what it lacks: a notification this
    /// stream already delivered is never sent again, so resuming from a stale position repeats nothing.
    /// </summary>
    /// <param name="afterSequence">The last sequence the client has.</param>
    public void Resume(long afterSequence)
    {
        _subscriber.Post(new ResumeSignal(Math.Max(0, afterSequence)));
        foreach (var room in _subscriber.Rooms)
        {
            _subscriber.Post(new ResyncSignal(room));
        }
    }

    /// <summary>Tells the client to reload every joined room (used after a reconnect).</summary>
    public void RequestResync()
    {
        foreach (var room in _subscriber.Rooms)
        {
            _subscriber.Post(new ResyncSignal(room));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _fanout.RemoveAsync(_subscriber).ConfigureAwait(false);
        }
    }
}
