using Microsoft.AspNetCore.Http;

namespace Commerce.Notifications.Internal;

/// <summary>
/// One SSE response: writes are serialized, so the heartbeat never interleaves with a frame, and none happens after the
/// stream is closed (Kestrel reuses the response object for the connection's next request).
/// </summary>
internal sealed class SseStream(HttpResponse response, CancellationToken aborted) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _written;
    private bool _closed;

    public async Task WriteAsync(string text)
    {
        await _gate.WaitAsync(aborted).ConfigureAwait(false);
        try
        {
            await WriteLockedAsync(text).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Waits for a write in flight, then refuses every later one. The gate is not disposed: a heartbeat may still wait on it.</summary>
    public void Dispose()
    {
        _gate.Wait();
        _closed = true;
        _gate.Release();
    }

    /// <summary>True when something was written since the last call.</summary>
    public bool TakeWritten() => Interlocked.Exchange(ref _written, 0) == 1;

    public async Task HeartbeatAsync()
    {
        // A stream still busy writing needs no heartbeat: skip the tick rather than queue one per interval.
        if (!_gate.Wait(0))
        {
            return;
        }

        try
        {
            await WriteLockedAsync(": heartbeat\n\n").ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or InvalidOperationException)
        {
            // the client went away; its request loop ends and unregisters the stream
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task WriteLockedAsync(string text)
    {
        if (_closed)
        {
            return;
        }

        await response.WriteAsync(text, aborted).ConfigureAwait(false);
        await response.Body.FlushAsync(aborted).ConfigureAwait(false);
        Volatile.Write(ref _written, 1);
    }
}
