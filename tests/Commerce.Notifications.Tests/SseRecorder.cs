using System.Collections.Concurrent;
using System.Text.Json;

namespace Commerce.Notifications.Tests;

/// <summary>An SSE client (plain HttpClient, as a browser's EventSource speaks it) and the events it parsed.</summary>
public sealed class SseRecorder : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;

    private SseRecorder(HttpClient client) => _client = client;

    public ConcurrentQueue<(string Event, string? Id, string Data)> Events { get; } = new();

    private int _heartbeats;

    public int Heartbeats => Volatile.Read(ref _heartbeats);

    public HttpResponseMessage? Response { get; private set; }

    public IEnumerable<Notification> Notifications => Events.Where(e => e.Event == "notification").Select(e => JsonSerializer.Deserialize<Notification>(e.Data, Json)!);

    public long[] Sequences => Notifications.Select(n => n.Sequence).ToArray();

    public static async Task<SseRecorder> ConnectAsync(Uri address, string user, string? shop = null, string? lastEventId = null, params string[] rooms)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        var recorder = new SseRecorder(client);
        var query = string.Join("&", rooms.Select(r => "room=" + Uri.EscapeDataString(r)));
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/notifications/stream?" + query);
        request.Headers.Add("X-User", user);
        if (shop is not null)
        {
            request.Headers.Add("X-Shop", shop);
        }

        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        request.Headers.Accept.ParseAdd("text/event-stream");
        recorder.Response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (recorder.Response.IsSuccessStatusCode)
        {
            recorder._reader = Task.Run(() => recorder.ReadAsync(recorder.Response));
        }

        return recorder;
    }

    private async Task ReadAsync(HttpResponseMessage response)
    {
        try
        {
            using var stream = await response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(stream);
            string? name = null, id = null;
            var data = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Count > 0)
                    {
                        Events.Enqueue((name ?? "message", id, string.Join("\n", data)));
                    }

                    name = id = null;
                    data.Clear();
                }
                else if (line.StartsWith(": heartbeat", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _heartbeats);
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line[7..];
                }
                else if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = line[4..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Add(line[6..]);
                }
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Response?.Dispose();
        try
        {
            await _reader;
        }
        catch (OperationCanceledException)
        {
        }

        _client.Dispose();
        _stop.Dispose();
    }
}
