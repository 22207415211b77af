using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Commerce.Notifications.Internal;

/// <summary>
/// One heartbeat timer for every SSE stream of this instance (not one per stream: idle streams add up): every
/// <see cref="NotificationsOptions.HeartbeatInterval"/> it writes a comment to each stream that wrote nothing since the
/// previous tick, so proxies keep it open; a stream is never silent for more than two intervals.
/// </summary>
internal sealed class SseHeartbeat : IDisposable
{
    private readonly ConcurrentDictionary<SseStream, byte> _streams = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly Lazy<Task> _loop;

    public SseHeartbeat(IOptions<NotificationsOptions> options, TimeProvider time)
    {
        _interval = options.Value.HeartbeatInterval;
        _time = time;
        _loop = new Lazy<Task>(() => Task.Run(LoopAsync));
    }

    public SseStream Register(HttpResponse response, CancellationToken aborted)
    {
        _ = _loop.Value;
        var stream = new SseStream(response, aborted);
        _streams[stream] = 0;
        return stream;
    }

    public void Unregister(SseStream stream)
    {
        _streams.TryRemove(stream, out _);
        stream.Dispose();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                foreach (var stream in _streams.Keys)
                {
                    if (!stream.TakeWritten())
                    {
                        _ = stream.HeartbeatAsync();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
