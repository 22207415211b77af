using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Commerce.Notifications.Internal;

/// <summary>
/// The Server-Sent Events endpoint. Every frame carries the stream's position as its <c>id:</c>: the opening frame the
/// position the stream starts from, a notification its sequence, a room event the sequence of the last notification
/// written before it. So the browser's automatic reconnect always sends <c>Last-Event-ID</c>, also when it drops before
/// its first notification, and gets exactly what it missed; a resumed stream starts with a <c>resync</c> per room. When
/// the stream can't open because PostgreSQL is unreachable, the answer is still 200, with <c>retry:</c> and no events,
/// so EventSource tries again rather than giving up for good.
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

        var rooms = context.Request.Query["room"].Where(r => !string.IsNullOrEmpty(r)).Select(r => r!).Distinct(StringComparer.Ordinal).ToList();
        if (rooms.Count == 0)
        {
            rooms = services.GetRequiredService<INotificationRoomAuthorizer>().DefaultRooms(context.User).Distinct(StringComparer.Ordinal).ToList();
        }
        if (rooms.Count > options.MaxRoomsPerConnection)
        {
            await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Too many rooms",
                detail: $"A stream may join at most {options.MaxRoomsPerConnection} rooms.").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var streams = services.GetRequiredService<INotificationStreams>();
        var cancellationToken = context.RequestAborted;
        NotificationSubscription subscription;
        try
        {
            subscription = await streams.SubscribeAsync(recipient, after, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is Npgsql.NpgsqlException or TimeoutException)
        {
            // Not an error to the browser: EventSource stops for good on anything but 200. It retries after 'retry:'.
            StartStream(context.Response);
            await context.Response.WriteAsync($"retry: {RetryMilliseconds}\n: unavailable, retry\n", cancellationToken).ConfigureAwait(false); // no blank line: nothing is dispatched
            return;
        }

        await using var _ = subscription;
        foreach (var room in rooms)
        {
            if (!await subscription.JoinRoomAsync(context.User, room, cancellationToken).ConfigureAwait(false))
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
        StartStream(response);
        var position = subscription.StartPosition; // what is written so far: every later frame comes after it
        await response.WriteAsync($"retry: {RetryMilliseconds}\nid: {position}\n: connected\n\n", cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);

        var reader = subscription.Items;
        var stream = services.GetRequiredService<SseHeartbeat>().Register(response, cancellationToken);
        var builder = new StringBuilder();
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                builder.Clear();
                while (reader.TryRead(out var item))
                {
                    position = Append(builder, item, position);
                }

                await stream.WriteAsync(builder.ToString()).ConfigureAwait(false);
            }

            if (subscription.DisconnectReason is { } reason)
            {
                await stream.WriteAsync($"event: disconnected\ndata: {JsonSerializer.Serialize(new { reason }, Json)}\n\n").ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            services.GetRequiredService<SseHeartbeat>().Unregister(stream);
        }
    }

    private const int RetryMilliseconds = 2000;

    private static void StartStream(HttpResponse response)
    {
        response.Headers.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        response.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    /// <summary>Writes one frame; returns the stream's position after it.</summary>
    private static long Append(StringBuilder builder, NotificationStreamItem item, long position)
    {
        switch (item.Kind)
        {
            case NotificationStreamItemKind.Notification:
                // A notification resent by a resume from an earlier position may be older than the position: the id
                // stays the position, so a reconnect never asks for what was already written.
                position = Math.Max(position, item.Notification!.Sequence);
                builder.Append("id: ").Append(position).Append("\nevent: notification\ndata: ")
                    .Append(JsonSerializer.Serialize(item.Notification, Json)).Append("\n\n");
                break;
            case NotificationStreamItemKind.RoomEvent:
                builder.Append("id: ").Append(position).Append("\nevent: room\ndata: ").Append(JsonSerializer.Serialize(item.RoomEvent, Json)).Append("\n\n");
                break;
            default:
                builder.Append("id: ").Append(position).Append("\nevent: resync\ndata: ").Append(JsonSerializer.Serialize(new { room = item.Room }, Json)).Append("\n\n");
                break;
        }

        return position;
    }
}
