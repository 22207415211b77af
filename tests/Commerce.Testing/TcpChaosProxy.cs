using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Commerce.Testing;

/// <summary>
/// A TCP proxy in front of a real server that a test can break on purpose: <see cref="Refuse"/>
/// drops every connection and refuses new ones (the server is down), <see cref="Hang"/> holds
/// traffic without answering (the server is slow or the network partitioned), <see cref="HangReplies"/>
/// passes requests to the server but holds its replies (the server did the work; the client never hears),
/// <see cref="Restore"/> forwards again on the same port. Used to inject failures without stopping a shared server.
/// </summary>
public sealed class TcpChaosProxy : IAsyncDisposable
{
    private readonly string _upstreamHost;
    private readonly int _upstreamPort;
    private readonly ConcurrentDictionary<int, (Socket Client, Socket Upstream)> _connections = new();
    private readonly CancellationTokenSource _disposed = new();
    private TcpListener? _listener;
    private TaskCompletionSource _flowing = NewFlowing(open: true);
    private TaskCompletionSource _replies = NewFlowing(open: true);
    private int _nextId;

    private TcpChaosProxy(string upstreamHost, int upstreamPort)
    {
        _upstreamHost = upstreamHost;
        _upstreamPort = upstreamPort;
    }

    /// <summary>The local port the proxy listens on.</summary>
    public int Port { get; private set; }

    /// <summary>The proxy's endpoint as <c>127.0.0.1:port</c>.</summary>
    public string EndPoint => $"127.0.0.1:{Port}";

    /// <summary>Connections currently open through the proxy.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Starts a proxy to <paramref name="upstream"/> (<c>host:port</c>) on a free local port.</summary>
    public static TcpChaosProxy Start(string upstream)
    {
        var colon = upstream.LastIndexOf(':');
        var proxy = new TcpChaosProxy(upstream[..colon], int.Parse(upstream[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        proxy.Listen(0);
        return proxy;
    }

    /// <summary>Drops every open connection and refuses new ones, as a stopped server does.</summary>
    public void Refuse()
    {
        var listener = Interlocked.Exchange(ref _listener, null);
        listener?.Stop();
        foreach (var id in _connections.Keys)
        {
            if (_connections.TryRemove(id, out var pair))
            {
                Close(pair.Client);
                Close(pair.Upstream);
            }
        }
    }

    /// <summary>Keeps connections open but stops passing bytes, as a hung server or a partition does.</summary>
    public void Hang()
    {
        if (_flowing.Task.IsCompleted)
        {
            _flowing = NewFlowing(open: false);
        }
    }

    /// <summary>
    /// Keeps passing requests to the server but holds every reply: what a client sees when the server ran its command and
    /// the answer was lost (a timeout after the work was done).
    /// </summary>
    public void HangReplies()
    {
        if (_replies.Task.IsCompleted)
        {
            _replies = NewFlowing(open: false);
        }
    }

    /// <summary>Forwards again: listens on the same port and releases held traffic.</summary>
    public void Restore()
    {
        if (_listener is null)
        {
            Listen(Port);
        }

        _flowing.TrySetResult();
        _replies.TrySetResult();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        Refuse();
        _flowing.TrySetResult();
        _replies.TrySetResult();
        _disposed.Dispose();
    }

    private static TaskCompletionSource NewFlowing(bool open)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
        {
            source.SetResult();
        }

        return source;
    }

    private void Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _listener = listener;
        _ = AcceptLoopAsync(listener);
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_disposed.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(_disposed.Token);
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException or OperationCanceledException or InvalidOperationException)
            {
                return; // listener stopped
            }

            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(Socket client)
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await upstream.ConnectAsync(_upstreamHost, _upstreamPort, _disposed.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            Close(client);
            Close(upstream);
            return;
        }

        var id = Interlocked.Increment(ref _nextId);
        _connections[id] = (client, upstream);
        await Task.WhenAny(PumpAsync(client, upstream, replies: false), PumpAsync(upstream, client, replies: true));
        if (_connections.TryRemove(id, out _))
        {
            Close(client);
            Close(upstream);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool replies)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _disposed.Token);
                if (read == 0)
                {
                    return;
                }

                await _flowing.Task.WaitAsync(_disposed.Token);
                if (replies)
                {
                    await _replies.Task.WaitAsync(_disposed.Token);
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _disposed.Token);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // the connection was dropped on purpose or by a peer
        }
    }

    private static void Close(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0); // reset, as a dying server does
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
