using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Commerce.Testing;

/// <summary>
/// A Redis server of the test's own, started from the <c>redis-server</c> binary on a free port with its data in a
/// temporary folder, so a test may do to it what it could not do to the shared server: <see cref="FlushAllAsync"/>
/// (Redis lost its data), <see cref="SaveAsync"/> then <see cref="KillAsync"/> and <see cref="StartAsync()"/> again (a
/// restart from an older snapshot), <c>DEBUG SLEEP</c> (a hung server).
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string[] _arguments;
    private Process? _process;
    private ConnectionMultiplexer? _admin;

    private RedisServerProcess(int port, string directory, string[] arguments)
    {
        Port = port;
        _directory = directory;
        _arguments = arguments;
    }

    /// <summary>The path of <c>redis-server</c>, or null when it is not installed.</summary>
    public static string? Binary { get; } = FindBinary();

    public int Port { get; }

    /// <summary>The server's endpoint as <c>127.0.0.1:port</c>.</summary>
    public string EndPoint => $"127.0.0.1:{Port}";

    /// <summary>An admin connection for the test's own commands (FLUSHALL, SAVE, DEBUG).</summary>
    public IDatabase Admin => (_admin ?? throw new InvalidOperationException("The server is not running.")).GetDatabase();

    /// <summary>Starts a server (extra arguments such as <c>--maxmemory-policy allkeys-lru</c> go to redis-server).</summary>
    public static async Task<RedisServerProcess> StartAsync(params string[] arguments)
    {
        var directory = Path.Combine(Path.GetTempPath(), "commerce-redis-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var server = new RedisServerProcess(FreePort(), directory, arguments);
        await server.StartAsync();
        return server;
    }

    /// <summary>Starts the server again (after <see cref="KillAsync"/>), loading the snapshot last saved, if any.</summary>
    public async Task StartAsync()
    {
        var info = new ProcessStartInfo(Binary ?? throw new InvalidOperationException("redis-server is not installed."))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory, "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no", "--daemonize", "no" }.Concat(_arguments))
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                _admin ??= await ConnectionMultiplexer.ConnectAsync($"{EndPoint},allowAdmin=true,abortConnect=false,connectTimeout=500");
                await _admin.GetDatabase().PingAsync();
                return true;
            }
            catch (RedisException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(20), "redis-server starts");
    }

    /// <summary>FLUSHALL: the server lost its data (a failover to an empty replica, a restart without persistence).</summary>
    public Task FlushAllAsync() => Admin.ExecuteAsync("FLUSHALL");

    /// <summary>SAVE: the snapshot a later restart comes back to.</summary>
    public Task SaveAsync() => Admin.ExecuteAsync("SAVE");

    /// <summary>Kills the server (<c>kill -9</c>): nothing after the last <see cref="SaveAsync"/> survives.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindBinary()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/bin").Append("/usr/local/bin"))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
