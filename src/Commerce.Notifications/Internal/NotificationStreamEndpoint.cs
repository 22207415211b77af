using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Commerce.Notifications.Internal;

/// <summary>
/// The Server-Sent Events endpoint. Notifications carry <c>id: &lt;sequence&gt;</c>, so the browser's automatic
/// reconnect sends <c>Last-Event-ID</c> and gets what it missed; room events carry no id (the position stays that of
/// the last notification) and a resumed stream starts with a <c>resync</c> per room.
/// </summary>
internal static class NotificationStreamEndpoint
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<NotificationsOptions>>().Value;
        var recipient = ClaimsUser.UserId(context.User, options);
        if (recipient is null)
        {
            await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Authentication required",
                detail: $"The stream needs an authenticated user with a '{options.UserIdClaimType}' claim.").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        long? after = null;
        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
        if (lastEventId.Length == 0)
        {
            lastEventId = context.Request.Query["lastEventId"].ToString();
        }

        if (lastEventId.Length > 0)
        {
            if (!long.TryParse(lastEventId, out var value) || value < 0)
            {
                await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid Last-Event-ID",
                    detail: "Last-Event-ID must be the sequence number of a notification.").ExecuteAsync(context).ConfigureAwait(false);
            return;
            }

            after = value;
        }

        var streams = services.GetRequiredService<INotificationStreams>();
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var cancellationToken = context.RequestAborted;
        await using var subscription = await streams.SubscribeAsync(recipient, after, cancellationToken).ConfigureAwait(false);
        foreach (var room in context.Request.Query["room"].Where(r => !string.IsNullOrEmpty(r)).Distinct(StringComparer.Ordinal))
        {
            if (!await subscription.JoinRoomAsync(context.User, room!, cancellationToken).ConfigureAwait(false))
            {
                await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden room",
                    detail: $"The user may not join '{room}'.").ExecuteAsync(context).ConfigureAwait(false);
            return;
            }
        }

        if (after is not null)
        {
            subscription.RequestResync();
        }

        var response = context.Response;
        response.Headers.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.WriteAsync("retry: 2000\n: connected\n\n", cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);

        var reader = subscription.Items;
        Task<bool>? waiting = null;
        Task? heartbeat = null;   // one timer per interval, not one per batch written
        var quiet = true;         // nothing written since the timer started
        var builder = new StringBuilder();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                waiting ??= reader.WaitToReadAsync(cancellationToken).AsTask();
                heartbeat ??= Task.Delay(options.HeartbeatInterval, time, cancellationToken);
                if (await Task.WhenAny(waiting, heartbeat).ConfigureAwait(false) != waiting)
                {
                    heartbeat = null;
                    if (quiet)
                    {
                        await response.WriteAsync(": heartbeat\n\n", cancellationToken).ConfigureAwait(false);
                        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }

                    quiet = true;
                    continue;
                }

                if (!await waiting.ConfigureAwait(false))
                {
                    break;
                }

                waiting = null;
                quiet = false;
                builder.Clear();
                while (reader.TryRead(out var item))
                {
                    Append(builder, item);
                }

                await response.WriteAsync(builder.ToString(), cancellationToken).ConfigureAwait(false);
                await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

    }

    private static void Append(StringBuilder builder, NotificationStreamItem item)
    {
        switch (item.Kind)
        {
            case NotificationStreamItemKind.Notification:
                builder.Append("id: ").Append(item.Notification!.Sequence).Append("\nevent: notification\ndata: ")
                    .Append(JsonSerializer.Serialize(item.Notification, Json)).Append("\n\n");
                break;
            case NotificationStreamItemKind.RoomEvent:
                builder.Append("event: room\ndata: ").Append(JsonSerializer.Serialize(item.RoomEvent, Json)).Append("\n\n");
                break;
            default:
                builder.Append("event: resync\ndata: ").Append(JsonSerializer.Serialize(new { room = item.Room }, Json)).Append("\n\n");
                break;
        }
    }
}
