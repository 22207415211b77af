using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Commerce.Notifications.Internal;

/// <summary>
/// The ordered queue of messages this instance publishes to Redis. Bounded by
/// <see cref="NotificationsOptions.PublishQueueCapacity"/>: when Redis can't keep up or is down, the oldest messages
/// are dropped (notifications are caught up from PostgreSQL; room events are best-effort, and their rooms resync when
/// Redis is back). A message Redis refused is retried for <see cref="NotificationsOptions.PublishRetryWindow"/>, then
/// dropped, whether Redis answered with an error or could not be reached at all.
/// </summary>
internal sealed class PublishQueue(NotificationConnections connections, TopicRegistry topics, RedisHealth health, IOptions<NotificationsOptions> options, NotificationMetrics metrics, TimeProvider time, ILogger<PublishQueue> logger)
{
    private const int MaxBatch = 512;
    private readonly NotificationsOptions _options = options.Value;
    private readonly Channel<Outgoing> _queue = Channel.CreateBounded<Outgoing>(
        new BoundedChannelOptions(options.Value.PublishQueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest },
        _ => metrics.PublishDropped());

    public void Enqueue(string topic, byte[] payload) => _queue.Writer.TryWrite(new Outgoing(topic, payload, time.GetUtcNow()));

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var pending = new List<Outgoing>();
        try
        {
            while (pending.Count > 0 || await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (pending.Count < MaxBatch && _queue.Reader.TryRead(out var next))
                {
                    pending.Add(next);
                }

                var sent = await SendAsync(pending).ConfigureAwait(false);
                var cutoff = time.GetUtcNow() - _options.PublishRetryWindow;
                var retry = new List<Outgoing>();
                for (var i = 0; i < pending.Count; i++)
                {
                    if (sent[i])
                    {
                        continue;
                    }

                    if (pending[i].EnqueuedAt > cutoff)
                    {
                        retry.Add(pending[i]);
                    }
                    else
                    {
                        metrics.PublishDropped(); // past the retry window: catch-up and resync cover it
                    }
                }

                pending.Clear();
                if (retry.Count > 0)
                {
                    pending.AddRange(retry);
                    await Task.Delay(TimeSpan.FromMilliseconds(500), time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Publishes a batch; returns which were accepted by Redis.</summary>
    private async Task<bool[]> SendAsync(List<Outgoing> batch)
    {
        var sent = new bool[batch.Count];
        try
        {
            var redis = await connections.RedisAsync().ConfigureAwait(false);
            var subscriber = redis.GetSubscriber();
            var sends = batch.Select(o => subscriber.PublishAsync(topics.Channel(redis, o.Topic), o.Payload)).ToArray();
            try
            {
                await Task.WhenAll(sends).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                health.MarkDegraded();
                Log.PublishFailed(logger, sends.Count(s => !s.IsCompletedSuccessfully), exception);
            }

            for (var i = 0; i < sends.Length; i++)
            {
                sent[i] = sends[i].IsCompletedSuccessfully;
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            health.MarkDegraded();
            Log.PublishFailed(logger, batch.Count, exception); // Redis could not be reached at all
        }

        return sent;
    }

    private sealed record Outgoing(string Topic, byte[] Payload, DateTimeOffset EnqueuedAt);
}
