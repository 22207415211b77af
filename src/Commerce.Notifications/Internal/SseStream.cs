using Microsoft.AspNetCore.Http;

namespace Commerce.Notifications.Internal;

/// <summary>One SSE response: writes are serialized, so the heartbeat never interleaves with a frame.</summary>
internal sealed class SseStream(HttpResponse response, CancellationToken aborted) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _written;

    public async Task WriteAsync(string text)
    {
        await _gate.WaitAsync(aborted).ConfigureAwait(false);
        try
        {
            await response.WriteAsync(text, aborted).ConfigureAwait(false);
            await response.Body.FlushAsync(aborted).ConfigureAwait(false);
            Volatile.Write(ref _written, 1);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>True when something was written since the last call.</summary>
    public bool TakeWritten() => Interlocked.Exchange(ref _written, 0) == 1;

    public async Task HeartbeatAsync()
    {
        try
        {
            await WriteAsync(": heartbeat\n\n").ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // the client went away; its request loop ends and unregisters the stream
        }
    }
}
