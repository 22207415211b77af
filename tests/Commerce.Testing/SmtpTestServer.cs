using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Commerce.Testing;

/// <summary>
/// A small SMTP server on a free loopback port (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) that keeps what it
/// receives. <see cref="RejectNext"/> makes it answer the next messages' DATA with a temporary failure (451).
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private int _reject;

    public SmtpTestServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accept = Task.Run(AcceptAsync);
    }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>Messages accepted: envelope recipients and the raw data.</summary>
    public ConcurrentQueue<(string From, IReadOnlyList<string> To, string Data)> Messages { get; } = new();

    /// <summary>Messages refused with 451.</summary>
    public int Rejected => Volatile.Read(ref _rejected);

    private int _rejected;

    /// <summary>Every AUTH command received (the mechanism and whatever credentials came with it).</summary>
    public ConcurrentQueue<string> AuthCommands { get; } = new();

    /// <summary>Answers the next <paramref name="count"/> messages with 451.</summary>
    public void RejectNext(int count) => Volatile.Write(ref _reject, count);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 localhost test SMTP");
            string from = "";
            var to = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-localhost");
                        await writer.WriteLineAsync("250-AUTH PLAIN LOGIN");   // offered in the clear: a client must not take it
                        await writer.WriteLineAsync("250 8BITMIME");
                        break;
                    case "HELO":
                        await writer.WriteLineAsync("250 localhost");
                        break;
                    case "MAIL":
                        from = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                        to.Clear();
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RCPT":
                        to.Add(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Trim('<', '>'));
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } dataLine && dataLine != ".")
                        {
                            data.AppendLine(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine);
                        }

                        if (Interlocked.Decrement(ref _reject) >= 0)
                        {
                            Interlocked.Increment(ref _rejected);
                            await writer.WriteLineAsync("451 Try again later");
                        }
                        else
                        {
                            Interlocked.Exchange(ref _reject, 0);
                            Messages.Enqueue((from, to.ToList(), data.ToString()));
                            await writer.WriteLineAsync("250 OK queued");
                        }

                        break;
                    case "AUTH":
                        AuthCommands.Enqueue(line);
                        await writer.WriteLineAsync("235 Authentication successful");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("250 OK");
                        break;
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

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        _stop.Dispose();
    }
}
