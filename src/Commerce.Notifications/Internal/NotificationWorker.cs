using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.Notifications.Internal;

/// <summary>Bulk jobs, out-of-band deliveries and retention. Safe on every instance (claims are leases, SKIP LOCKED).</summary>
internal sealed class NotificationWorker(
    NotificationStore store,
    NotificationFanout fanout,
    INotificationService service,
    IEnumerable<INotificationChannel> channels,
    NotificationWorkerSignal signal,
    NotificationMetrics metrics,
    IOptions<NotificationsOptions> options,
    TimeProvider time,
    ILogger<NotificationWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private readonly NotificationsOptions _options = options.Value;
    private readonly Dictionary<string, INotificationChannel> _channels = channels.ToDictionary(c => c.Name, StringComparer.Ordinal);
    private DateTimeOffset _nextRetention = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.RunBackgroundWorker)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var busy = await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                if (!busy)
                {
                    await signal.WaitAsync(_options.PollInterval, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                Log.WorkerFailed(logger, exception);
                await Task.Delay(_options.PollInterval, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Does one round of each kind of work; true when there may be more right away.</summary>
    internal async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        var busy = await RunBulkAsync(cancellationToken).ConfigureAwait(false);
        busy |= await RunDeliveriesAsync(cancellationToken).ConfigureAwait(false);
        if (time.GetUtcNow() >= _nextRetention)
        {
            _nextRetention = time.GetUtcNow() + _options.RetentionInterval;
            await service.ApplyRetentionAsync(cancellationToken).ConfigureAwait(false);
        }

        return busy;
    }

    private async Task<bool> RunBulkAsync(CancellationToken cancellationToken)
    {
        var job = await store.ClaimBulkJobAsync(time.GetUtcNow(), Lease, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return false;
        }

        using var activity = NotificationMetrics.ActivitySource.StartActivity("notification bulk");
        var created = job.Created;
        while (created < job.RecipientIds.Length)
        {
            var batch = job.RecipientIds.AsSpan(created, Math.Min(_options.BulkBatchSize, job.RecipientIds.Length - created)).ToArray();
            var completes = created + batch.Length >= job.RecipientIds.Length;
            var notifications = await store.CreateBulkBatchAsync(job.Id, created, batch, completes, time.GetUtcNow(), Lease, cancellationToken).ConfigureAwait(false);
            if (notifications is null)
            {
                break;   // another instance took it over
            }

            foreach (var notification in notifications)
            {
                fanout.Publish(notification);
            }

            created += batch.Length;
        }

        return true;
    }

    private async Task<bool> RunDeliveriesAsync(CancellationToken cancellationToken)
    {
        var claimed = await store.ClaimDeliveriesAsync(time.GetUtcNow(), Lease, 32, cancellationToken).ConfigureAwait(false);
        await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, DeliverAsync).ConfigureAwait(false);
        return claimed.Count == 32;
    }

    private async ValueTask DeliverAsync(ChannelDelivery delivery, CancellationToken cancellationToken)
    {
        try
        {
            if (!_channels.TryGetValue(delivery.Channel, out var channel))
            {
                throw new InvalidOperationException($"No channel named '{delivery.Channel}' is registered on this instance.");
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ChannelAttemptTimeout);
            await channel.DeliverAsync(delivery.Notification, delivery.Address, timeout.Token).ConfigureAwait(false);
            await store.CompleteDeliveryAsync(delivery.Id, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            metrics.ChannelAttempt(delivery.Channel, "delivered");
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            var final = delivery.Attempt >= _options.ChannelMaxAttempts;
            var delay = TimeSpan.FromTicks(Math.Min(
                _options.ChannelMaxRetryDelay.Ticks,
                _options.ChannelRetryDelay.Ticks * (long)Math.Pow(2, Math.Min(30, delivery.Attempt - 1))));
            var next = time.GetUtcNow() + delay;
            Log.ChannelDeliveryFailed(logger, delivery.Notification.Id, delivery.Channel, delivery.Attempt, final ? "giving up" : $"retrying at {next:O}", exception);
            await store.FailDeliveryAsync(delivery.Id, final, next, exception.Message, cancellationToken).ConfigureAwait(false);
            metrics.ChannelAttempt(delivery.Channel, final ? "failed" : "retry");
        }
    }
}
