using System.Threading.Channels;

namespace Commerce.Notifications.Internal;

/// <summary>
/// One client's stream on this instance. Everything for it (live messages from Redis or this instance, catch-up
/// requests, room events) goes through one queue and one pump, which keeps notifications in sequence order: a
/// duplicate (sequence at or below the position) is dropped, a gap is filled from PostgreSQL before going on.
/// </summary>
#pragma warning disable CA1001 // _stop is disposed by StopAsync, which the fan-out always calls
internal sealed class LocalSubscriber
#pragma warning restore CA1001
{
    private readonly Channel<object> _inbound = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<NotificationStreamItem> _out;
    private readonly NotificationStore _store;
    private readonly NotificationsOptions _options;
    private readonly NotificationMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly Action<Exception> _onBackfillError;
    private readonly CancellationTokenSource _stop = new();   // disposed by StopAsync
    private readonly HashSet<string> _rooms = new(StringComparer.Ordinal);
    private long _position;
    private Task _pump = Task.CompletedTask;

    public LocalSubscriber(string recipientId, NotificationStore store, NotificationsOptions options, NotificationMetrics metrics, TimeProvider time, Action<Exception> onBackfillError)
    {
        RecipientId = recipientId;
        _store = store;
        _options = options;
        _metrics = metrics;
        _time = time;
        _onBackfillError = onBackfillError;
        _out = Channel.CreateBounded<NotificationStreamItem>(new BoundedChannelOptions(options.SubscriberBufferSize)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public string RecipientId { get; }

    public long Position => Interlocked.Read(ref _position);

    public ChannelReader<NotificationStreamItem> Items => _out.Reader;

    public string[] Rooms
    {
        get
        {
            lock (_rooms)
            {
                return [.. _rooms];
            }
        }
    }

    public bool AddRoom(string room)
    {
        lock (_rooms)
        {
            return _rooms.Add(room);
        }
    }

    public bool RemoveRoom(string room)
    {
        lock (_rooms)
        {
            return _rooms.Remove(room);
        }
    }

    /// <summary>Starts delivering after <paramref name="position"/>; with <paramref name="catchUp"/>, first what is stored after it.</summary>
    public void Start(long position, bool catchUp)
    {
        _position = position;
        if (catchUp)
        {
            Post(CatchUpSignal.Instance);
        }

        _pump = Task.Run(PumpAsync);
    }

    public void Post(object item) => _inbound.Writer.TryWrite(item);

    public async Task StopAsync()
    {
        _inbound.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _pump.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _out.Writer.TryComplete();
        _stop.Dispose();
    }

    private async Task PumpAsync()
    {
        var cancellationToken = _stop.Token;
        try
        {
            await foreach (var item in _inbound.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                while (true)
                {
                    try
                    {
                        await HandleAsync(item, cancellationToken).ConfigureAwait(false);
                        break;
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        // PostgreSQL unavailable while filling a gap: keep the item and try again; nothing is skipped.
                        _onBackfillError(exception);
                        await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (ChannelClosedException)
        {
        }
    }

    private async Task HandleAsync(object item, CancellationToken cancellationToken)
    {
        switch (item)
        {
            case Notification notification:
                if (notification.Sequence <= _position)
                {
                    return;
                }

                if (notification.Sequence > _position + 1)
                {
                    await BackfillAsync(notification.Sequence - 1, cancellationToken).ConfigureAwait(false);
                    if (notification.Sequence <= _position)
                    {
                        return;
                    }
                }

                await EmitAsync(notification, backfilled: false, cancellationToken).ConfigureAwait(false);
                return;
            case CatchUpSignal:
                await BackfillAsync(long.MaxValue, cancellationToken).ConfigureAwait(false);
                return;
            case ResumeSignal resume:
                Interlocked.Exchange(ref _position, resume.AfterSequence);
                await BackfillAsync(long.MaxValue, cancellationToken).ConfigureAwait(false);
                return;
            case RoomEvent roomEvent:
                await _out.Writer.WriteAsync(new NotificationStreamItem(NotificationStreamItemKind.RoomEvent, RoomEvent: roomEvent), cancellationToken).ConfigureAwait(false);
                return;
            case ResyncSignal resync:
                await _out.Writer.WriteAsync(new NotificationStreamItem(NotificationStreamItemKind.Resync, Room: resync.Room), cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>Delivers what is stored after the position, up to <paramref name="through"/>.</summary>
    private async Task BackfillAsync(long through, CancellationToken cancellationToken)
    {
        while (_position < through)
        {
            var page = await _store.GetSinceAsync(RecipientId, _position, _options.BackfillPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var notification in page)
            {
                if (notification.Sequence > through)
                {
                    return;
                }

                await EmitAsync(notification, backfilled: true, cancellationToken).ConfigureAwait(false);
            }

            if (page.Count < _options.BackfillPageSize)
            {
                return;
            }
        }
    }

    private async Task EmitAsync(Notification notification, bool backfilled, CancellationToken cancellationToken)
    {
        await _out.Writer.WriteAsync(new NotificationStreamItem(NotificationStreamItemKind.Notification, notification), cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _position, notification.Sequence);
        if (backfilled)
        {
            _metrics.Backfilled();
        }
        else
        {
            _metrics.Delivered(_time.GetUtcNow() - notification.CreatedAt);
        }
    }
}

/// <summary>Read what is stored after the position.</summary>
internal sealed class CatchUpSignal
{
    public static readonly CatchUpSignal Instance = new();
}

/// <summary>The client says it has everything up to <paramref name="AfterSequence"/>.</summary>
internal sealed record ResumeSignal(long AfterSequence);

/// <summary>Tell the client to reload a room.</summary>
internal sealed record ResyncSignal(string Room);
