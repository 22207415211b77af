using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.Notifications.Internal;

/// <summary>The subscription of each SignalR connection on this instance, and the loop that sends its items in order.</summary>
internal sealed class SignalRSubscriptions(
    INotificationStreams streams,
    IHubContext<NotificationsHub> hub,
    IOptions<NotificationsOptions> options,
    ILogger<SignalRSubscriptions> logger)
{
    private readonly ConcurrentDictionary<string, (NotificationSubscription Subscription, Task Sender)> _connections = new(StringComparer.Ordinal);

    /// <summary>Client method receiving <c>{ reason }</c> before the server aborts the connection.</summary>
    public const string DisconnectedMethod = "disconnected";

    public string? UserId(ClaimsPrincipal? user) => ClaimsUser.UserId(user, options.Value);

    public NotificationSubscription Get(string connectionId) =>
        _connections.TryGetValue(connectionId, out var entry) ? entry.Subscription : throw new HubException("The connection is not subscribed.");

    public async Task OpenAsync(HubCallerContext context, string recipientId, long? after, CancellationToken cancellationToken)
    {
        var subscription = await streams.SubscribeAsync(recipientId, after, cancellationToken).ConfigureAwait(false);
        var client = hub.Clients.Client(context.ConnectionId);
        _connections[context.ConnectionId] = (subscription, Task.Run(() => SendAsync(subscription, client, context), CancellationToken.None));
    }

    public async Task CloseAsync(string connectionId)
    {
        if (_connections.TryRemove(connectionId, out var entry))
        {
            await entry.Subscription.DisposeAsync().ConfigureAwait(false);
            await entry.Sender.ConfigureAwait(false);
        }
    }

    private async Task SendAsync(NotificationSubscription subscription, IClientProxy client, HubCallerContext context)
    {
        try
        {
            await foreach (var item in subscription.Items.ReadAllAsync().ConfigureAwait(false))
            {
                var send = item.Kind switch
                {
                    NotificationStreamItemKind.Notification => client.SendAsync(NotificationsHub.NotificationMethod, item.Notification),
                    NotificationStreamItemKind.RoomEvent => client.SendAsync(NotificationsHub.RoomEventMethod, item.RoomEvent),
                    _ => client.SendAsync(NotificationsHub.ResyncMethod, new { room = item.Room }),
                };
                await send.ConfigureAwait(false);
            }

            if (subscription.DisconnectReason is { } reason)
            {
                await client.SendAsync(DisconnectedMethod, new { reason }).ConfigureAwait(false);
                context.Abort();
            }
        }
        catch (Exception exception)
        {
            Log.WorkerFailed(logger, exception);
        }
    }
}
