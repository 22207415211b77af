using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.Notifications.Internal;

/// <summary>
/// The safety net under pub/sub, in the background: every <see cref="NotificationsOptions.CatchUpInterval"/> (every
/// half second while Redis is degraded or a topic is not subscribed yet) it subscribes the topics that have no Redis
/// subscription (beside the rest, so a hung Redis holds back nothing), tells the members of rooms subscribed late to
/// resync, and compares every local subscriber's position with PostgreSQL so anything missed is backfilled. It also
/// runs the publish queue, and listens for notifications created in applications' transactions.
/// </summary>
internal sealed class NotificationCatchUp(
    NotificationConnections connections,
    NotificationFanout fanout,
    TopicRegistry topics,
    PublishQueue publishing,
    RedisHealth health,
    NotificationCreations creations,
    NotificationWorkerSignal worker,
    IOptions<NotificationsOptions> options,
    ILogger<NotificationCatchUp> logger) : BackgroundService
{
    private readonly SemaphoreSlim _now = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var publisher = Task.Run(() => publishing.RunAsync(stoppingToken), stoppingToken);
        var listener = Task.Run(() => ListenForTransactionalCreationsAsync(stoppingToken), stoppingToken);
        health.Restored += OnRestored;
        try
        {
            health.Watch(await connections.RedisAsync().WaitAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.RedisUnavailable(logger, exception);
        }

        var settings = options.Value;
        var subscribing = Task.CompletedTask;
        // The state is looked at every half second, so a topic left unsubscribed (Redis hung while a client connected)
        // is caught up within one, not at the end of a wait chosen while all was well. Real time, as the wait is.
        var tick = TimeSpan.FromMilliseconds(Math.Min(500, settings.CatchUpInterval.TotalMilliseconds));
        var lastRun = Stopwatch.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var woken = await _now.WaitAsync(tick, stoppingToken).ConfigureAwait(false);
                var fast = health.NeedsFastCatchUp || topics.AnyUnsubscribed;
                if (!woken && !fast && Stopwatch.GetElapsedTime(lastRun) < settings.CatchUpInterval)
                {
                    continue;
                }

                lastRun = Stopwatch.GetTimestamp();
                // Subscribing waits for Redis (a hung one: its whole timeout): it runs beside the catch-up, one round
                // at a time, so PostgreSQL covers the gap meanwhile.
                if (subscribing.IsCompleted)
                {
                    subscribing = SubscribeMissingAsync();
                }

                await fanout.CatchUpAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                Log.CatchUpFailed(logger, exception);
            }
        }

        health.Restored -= OnRestored;
        try
        {
            await subscribing.WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None).ConfigureAwait(false);   // not a hung Redis' timeout
        }
        catch (TimeoutException)
        {
        }
        await publisher.ConfigureAwait(false);
        await listener.ConfigureAwait(false);
    }

    /// <summary>Subscribes the topics that have no Redis subscription; the members of rooms subscribed late resync.</summary>
    private async Task SubscribeMissingAsync()
    {
        try
        {
            foreach (var room in (await topics.SubscribeMissingAsync().ConfigureAwait(false)).Where(t => t.IsRoom))
            {
                room.Subscribers.ToList().ForEach(s => s.Post(new ResyncSignal(room.Name)));
            }
        }
        catch (Exception exception)
        {
            Log.CatchUpFailed(logger, exception);
        }
    }

    /// <summary>
    /// A notification created in an application's transaction announces its recipient with NOTIFY at commit: that
    /// recipient's local streams catch up from PostgreSQL, and the worker looks for its out-of-band deliveries.
    /// </summary>
    private Task ListenForTransactionalCreationsAsync(CancellationToken stoppingToken) =>
        Commerce.Shared.PostgresListener.ListenAsync(
            connections.Postgres,
            creations.CreatedChannel,
            recipient =>
            {
                fanout.CatchUp([recipient]);
                worker.Wake();
            },
            () => _ = fanout.CatchUpAsync(stoppingToken),
            e => Log.CatchUpFailed(logger, e),
            stoppingToken);

    public override void Dispose()
    {
        _now.Dispose();
        base.Dispose();
    }

    /// <summary>Redis is back: rooms may have missed events, and positions are compared at once.</summary>
    private void OnRestored()
    {
        foreach (var topic in topics.Topics.Where(t => t.IsRoom))
        {
            topic.Subscribers.ToList().ForEach(s => s.Post(new ResyncSignal(topic.Name)));
        }

        try
        {
            _now.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }
}
