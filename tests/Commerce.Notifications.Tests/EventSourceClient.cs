using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace Commerce.Notifications.Tests;

/// <summary>
/// An SSE client that behaves as a browser's EventSource does (the HTML specification's processing model): the last
/// event id is whatever the last dispatched frame's <c>id:</c> said, also a frame without data; when the stream ends it
/// reconnects after <c>retry:</c> with <c>Last-Event-ID</c> if it has one; it stops for good on a non-200 answer. A test
/// can drop the connection and decide when it may reconnect.
/// </summary>
public sealed class EventSourceClient : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _client;
    private readonly string _user;
    private readonly string? _shop;
    private readonly string _query;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _mayReconnect = new(0);
    private CancellationTokenSource? _current;
    private Task _loop = Task.CompletedTask;
    private int _connections;
    private int _opened;

    private EventSourceClient(Uri address, string user, string? shop, string query)
    {
        _client = new HttpClient { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        _user = user;
        _shop = shop;
        _query = query;
    }

    /// <summary>The last event id, as EventSource keeps it.</summary>
    public string LastEventId { get; private set; } = "";

    /// <summary>The notifications dispatched, in arrival order.</summary>
    public ConcurrentQueue<Notification> Notifications { get; } = new();

    /// <summary>Every event type dispatched, in order.</summary>
    public ConcurrentQueue<string> EventTypes { get; } = new();

    /// <summary>Status codes of every connection attempt.</summary>
    public ConcurrentQueue<int> Statuses { get; } = new();

    /// <summary>How many streams opened (200 and the first frame read).</summary>
    public int Opened => Volatile.Read(ref _opened);

    /// <summary>True once a non-200 answer made it stop for good, as EventSource does.</summary>
    public bool Failed { get; private set; }

    public long[] Sequences => Notifications.Select(n => n.Sequence).ToArray();

    public static EventSourceClient Open(Uri address, string user, string? shop = null, params string[] rooms)
    {
        var client = new EventSourceClient(address, user, shop, string.Join("&", rooms.Select(r => "room=" + Uri.EscapeDataString(r))));
        client._loop = Task.Run(client.RunAsync);
        return client;
    }

    /// <summary>Cuts the current connection; the client waits for <see cref="AllowReconnect"/> before it reconnects.</summary>
    public void Drop() => _current?.Cancel();

    /// <summary>Lets a dropped client reconnect (once).</summary>
    public void AllowReconnect() => _mayReconnect.Release();

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var current = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            _current = current;
            var retry = TimeSpan.FromMilliseconds(100);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "api/notifications/stream?" + _query);
                request.Headers.Add("X-User", _user);
                if (_shop is not null)
                {
                    request.Headers.Add("X-Shop", _shop);
                }

                request.Headers.Accept.ParseAdd("text/event-stream");
                if (LastEventId.Length > 0)
                {
                    request.Headers.Add("Last-Event-ID", LastEventId);
                }

                Interlocked.Increment(ref _connections);
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, current.Token);
                Statuses.Enqueue((int)response.StatusCode);
                if ((int)response.StatusCode != 200)
                {
                    Failed = true;
                    return;
                }

                await using var stream = await response.Content.ReadAsStreamAsync(current.Token);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                string eventType = "", data = "";
                string? idBuffer = null;
                var first = true;
                while (await reader.ReadLineAsync(current.Token) is { } line)
                {
                    if (line.Length == 0)
                    {
                        // dispatch: the last event id is set first, even when there is no data
                        if (idBuffer is not null)
                        {
                            LastEventId = idBuffer;
                        }

                        if (first)
                        {
                            first = false;
                            Interlocked.Increment(ref _opened);
                        }

                        if (data.Length > 0)
                        {
                            var type = eventType.Length == 0 ? "message" : eventType;
                            EventTypes.Enqueue(type);
                            if (type == "notification")
                            {
                                Notifications.Enqueue(JsonSerializer.Deserialize<Notification>(data.TrimEnd('\n'), Json)!);
                            }
                        }

                        eventType = data = "";
                        continue;
                    }

                    if (line.StartsWith(':'))
                    {
                        continue;
                    }

                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    var field = colon < 0 ? line : line[..colon];
                    var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
                    switch (field)
                    {
                        case "event": eventType = value; break;
                        case "data": data += value + "\n"; break;
                        case "id" when !value.Contains('\0', StringComparison.Ordinal): idBuffer = value; break;
                        case "retry" when int.TryParse(value, out var ms): retry = TimeSpan.FromMilliseconds(Math.Min(ms, 200)); break;
                    }
                }
            }
            catch (Exception) when (current.IsCancellationRequested && !_stop.IsCancellationRequested)
            {
                // dropped by the test: wait until it lets us reconnect
                try
                {
                    await _mayReconnect.WaitAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException)
            {
            }
            catch (IOException)
            {
            }

            await Task.Delay(retry); // the stream ended: reconnect as EventSource does
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _client.Dispose();
        _stop.Dispose();
        _mayReconnect.Dispose();
    }
}
