using Commerce.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Notifications.Tests;

/// <summary>A real Kestrel host with Commerce.Notifications on a schema and channel prefix of the test's own.</summary>
public static class NotificationHost
{
    public static Task<TestWebApp> StartAsync(string redis, string postgres, string schema, Action<NotificationsOptions>? configure = null, Action<ICommerceNotificationsBuilder>? build = null) =>
        TestWebApp.StartAsync(
            builder =>
            {
                builder.Services.AddAuthentication(TestAuthHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
                builder.Services.AddAuthorization();
                var notifications = builder.Services.AddCommerceNotifications(o =>
                {
                    o.Schema = schema;
                    o.ChannelPrefix = schema + ":";
                    o.PollInterval = TimeSpan.FromMilliseconds(200);
                    o.HeartbeatInterval = TimeSpan.FromSeconds(1);
                    configure?.Invoke(o);
                }).WithRedis(redis).WithPostgres(postgres);
                build?.Invoke(notifications);
            },
            app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
                app.MapNotificationsHub("/hubs/notifications").RequireAuthorization();
                app.MapNotificationStream("/api/notifications/stream").RequireAuthorization();
            });

    /// <summary>A SignalR client for <paramref name="user"/> that records what it receives.</summary>
    public static async Task<HubRecorder> ConnectHubAsync(TestWebApp host, string user, string? shop = null, long? after = null)
    {
        var query = $"user={user}" + (shop is null ? "" : $"&shop={shop}") + (after is null ? "" : $"&after={after}");
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(host.Address, "hubs/notifications?" + query))
            .Build();
        var recorder = new HubRecorder(connection);
        await connection.StartAsync();
        await connection.InvokeAsync<long>("Position");   // the subscription is in place once a hub method answers
        return recorder;
    }
}
