using System.Threading.Channels;

namespace Commerce.Notifications.Internal;

/// <summary>
/// One client's stream on this instance. Everything for it (live messages from Redis or this instance, catch-up
/// requests, room events) goes through one queue and one pump, which keeps notifications in sequence order: a
/// duplicate (sequence at or below the position) is dropped, a gap is filled from PostgreSQL before going on. Memory is
/// bounded: at most <see cref="NotificationsOptions.SubscriberBufferSize"/> live messages wait in front of the pump and
/// as many items behind it; when a client falls that far behind, what it missed collapses into one catch-up from
/// PostgreSQL (notifications) and a resync of every joined room.
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
    private int _queuedLive;   // live messages in _inbound, bounded by SubscriberBufferSize
    private int _overflowed;   // 1 once a live message was dropped for lack of room; the pump then catches up
    private long _position;
    private long _floor;       // everything after it, up to the position, was delivered on this stream
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

    /// <summary>The position the stream started from: every notification it hands out comes after it.</summary>
    public long StartPosition { get; private set; }

    public ChannelReader<NotificationStreamItem> Items => _out.Reader;

    /// <summary>Why the server ended this stream (rights revoked), once it did.</summary>
    public string? DisconnectReason { get; private set; }

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

    public int RoomCount
    {
        get
        {
            lock (_rooms)
            {
                return _rooms.Count;
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
        _floor = position;
        StartPosition = position;
        if (catchUp)
        {
            Post(CatchUpSignal.Instance);
        }

        _pump = Task.Run(PumpAsync);
    }

    /// <summary>
    /// Queues an item. Live messages (notifications, room events) wait only while fewer than
    /// <see cref="NotificationsOptions.SubscriberBufferSize"/> are queued; past that they are dropped and the pump
    /// catches up instead. Control signals (catch-up, resume, resync, leave, disconnect) are always queued.
    /// </summary>
    public void Post(object item)
    {
        if (item is Notification or RoomEvent)
        {
            if (Interlocked.Increment(ref _queuedLive) > _options.SubscriberBufferSize)
            {
                Interlocked.Decrement(ref _queuedLive);
                if (Interlocked.Exchange(ref _overflowed, 1) == 0)
                {
                    _metrics.Overflowed();
                    _inbound.Writer.TryWrite(OverflowSignal.Instance);
                }

                return;
            }
        }

        _inbound.Writer.TryWrite(item);
    }

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
        var reader = _inbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    if (item is Notification or RoomEvent)
                    {
                        Interlocked.Decrement(ref _queuedLive);
                    }

                    while (true)
                    {
                        try
                        {
                            await HandleAsync(item, cancellationToken).ConfigureAwait(false);
                            break;
                        }
                        catch (Exception exception) when (exception is not OperationCanceledException and not ChannelClosedException)
                        {
                            // PostgreSQL unavailable while filling a gap: keep the item and try again; nothing is skipped.
                            _onBackfillError(exception);
                            await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
                        }
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
            case OverflowSignal:
                // Live messages were dropped: what was missed comes from PostgreSQL, and rooms are reloaded.
                Interlocked.Exchange(ref _overflowed, 0);
                await BackfillAsync(long.MaxValue, cancellationToken).ConfigureAwait(false);
                foreach (var room in Rooms)
                {
                    await WriteAsync(new NotificationStreamItem(NotificationStreamItemKind.Resync, Room: room), cancellationToken).ConfigureAwait(false);
                }

                return;
            case ResumeSignal resume:
                await ResumeAsync(resume.AfterSequence, cancellationToken).ConfigureAwait(false);
                return;
            case RoomEvent roomEvent:
                await WriteAsync(new NotificationStreamItem(NotificationStreamItemKind.RoomEvent, RoomEvent: roomEvent), cancellationToken).ConfigureAwait(false);
                return;
            case ResyncSignal resync:
                await WriteAsync(new NotificationStreamItem(NotificationStreamItemKind.Resync, Room: resync.Room), cancellationToken).ConfigureAwait(false);
                return;
            case DisconnectSignal disconnect:
                DisconnectReason = disconnect.Reason;
                _inbound.Writer.TryComplete();
                _out.Writer.TryComplete();
                return;
        }
    }

    /// <summary>
    /// The client has everything up to <paramref name="after"/>: deliver what it lacks, and only that. What this stream
    /// already delivered (after its floor) is not sent again; what is older than the floor and after
    /// <paramref name="after"/> is; a position ahead of this stream's moves it forward.
    /// </summary>
    private async Task ResumeAsync(long after, CancellationToken cancellationToken)
    {
        if (after > _position)
        {
            Interlocked.Exchange(ref _position, after);
            _floor = after;
        }
        else if (after < _floor)
        {
            var floor = _floor;
            var from = after;
            while (from < floor)
            {
                var page = await _store.GetSinceAsync(RecipientId, from, _options.BackfillPageSize, cancellationToken).ConfigureAwait(false);
                foreach (var notification in page.Where(n => n.Sequence <= floor))
                {
                    await WriteAsync(new NotificationStreamItem(NotificationStreamItemKind.Notification, notification), cancellationToken).ConfigureAwait(false);
                    _metrics.Backfilled();
                }

                if (page.Count < _options.BackfillPageSize || page[^1].Sequence >= floor)
                {
                    break;
                }

                from = page[^1].Sequence;
            }

            _floor = after;
        }

        await BackfillAsync(long.MaxValue, cancellationToken).ConfigureAwait(false);
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
        await WriteAsync(new NotificationStreamItem(NotificationStreamItemKind.Notification, notification), cancellationToken).ConfigureAwait(false);
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

    private ValueTask WriteAsync(NotificationStreamItem item, CancellationToken cancellationToken) =>
        _out.Writer.WriteAsync(item, cancellationToken);
}

/// <summary>Read what is stored after the position.</summary>
internal sealed class CatchUpSignal
{
    public static readonly CatchUpSignal Instance = new();
}

/// <summary>Live messages were dropped because the client fell too far behind: catch up and resync.</summary>
internal sealed class OverflowSignal
{
    public static readonly OverflowSignal Instance = new();
}

/// <summary>The client says it has everything up to <paramref name="AfterSequence"/>.</summary>
internal sealed record ResumeSignal(long AfterSequence);

/// <summary>Tell the client to reload a room.</summary>
internal sealed record ResyncSignal(string Room);

/// <summary>The server ends this stream (the user's rights were revoked).</summary>
internal sealed record DisconnectSignal(string Reason);
