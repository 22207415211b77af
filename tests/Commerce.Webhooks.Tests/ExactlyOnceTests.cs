using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Webhooks.Tests;

/// <summary>
/// The inbox runs each message once through lease expiry, two processors and processes killed mid-handler, on real
/// PostgreSQL and Kestrel.
/// </summary>
public sealed class ExactlyOnceTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly WebhookSecret Secret = WebhookSecret.Generate();

    /// <summary>Counts how often each message's handler started, across every host of a test.</summary>
    public sealed class Starts
    {
        public ConcurrentDictionary<string, int> ByMessage { get; } = new();

        public ConcurrentDictionary<string, int> Ended { get; } = new();

        public TimeSpan HandlerTime { get; set; } = TimeSpan.Zero;
    }

    public sealed class SlowHandler(Starts starts) : IWebhookHandler
    {
        public async ValueTask HandleAsync(WebhookMessage message, CancellationToken cancellationToken)
        {
            starts.ByMessage.AddOrUpdate(message.MessageId, 1, (_, n) => n + 1);
            try
            {
                await Task.Delay(starts.HandlerTime, cancellationToken);
            }
            finally
            {
                starts.Ended.AddOrUpdate(message.MessageId, 1, (_, n) => n + 1);
            }
        }
    }

    private Task<TestWebApp> StartAsync(string schema, Starts starts, Action<WebhooksOptions>? configure = null) =>
        StartAsync<SlowHandler, Starts>(schema, starts, configure);

    /// <summary>A host whose handler of every type is <typeparamref name="THandler"/>, given <paramref name="state"/>.</summary>
    private Task<TestWebApp> StartAsync<THandler, TState>(string schema, TState state, Action<WebhooksOptions>? configure = null, string? connectionString = null)
        where THandler : class, IWebhookHandler
        where TState : class =>
        TestWebApp.StartAsync(
            builder =>
            {
                builder.Services.AddSingleton(state);
                builder.Services.AddCommerceWebhooks(o =>
                    {
                        o.Schema = schema;
                        o.InboxPollInterval = TimeSpan.FromMilliseconds(50);
                        o.RetryBaseDelay = TimeSpan.FromMilliseconds(50);
                        configure?.Invoke(o);
                    })
                    .WithPostgres(connectionString ?? postgres.ConnectionString)
                    .AddSource("store", s => s.Secrets = [Secret.Export()])
                    .AddHandler<THandler>("*");
            },
            app => app.MapWebhooks("/hooks", "store"));

    private static HttpRequestMessage Signed(string id, string type = "orders.created")
    {
        var body = Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\",\"data\":{{}}}}");
        var now = DateTimeOffset.UtcNow;
        var request = new HttpRequestMessage(HttpMethod.Post, "hooks") { Content = new ByteArrayContent(body) };
        request.Headers.Add(WebhookHeaders.Id, id);
        request.Headers.Add(WebhookHeaders.Timestamp, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookHeaders.Signature, StandardWebhookSigner.Sign(id, now, body, Secret));
        return request;
    }

    private async Task<string> StatusAsync(string schema, string messageId)
    {
        await using var command = postgres.DataSource.CreateCommand($"select status from \"{schema}\".inbox where message_id = @id");
        command.Parameters.AddWithValue("id", messageId);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task HandlersSlowerThanTheLease_OnTwoProcessors_EveryMessageIsHandledOnce()
    {
        var schema = TestNames.Unique();
        var starts = new Starts { HandlerTime = TimeSpan.FromSeconds(2.5) };
        void Options(WebhooksOptions o)
        {
            o.ProcessingLease = TimeSpan.FromSeconds(1);
            o.ProcessingConcurrency = 2;
        }

        await using var first = await StartAsync(schema, starts, Options);
        await using var second = await StartAsync(schema, starts, Options);
        var ids = Enumerable.Range(0, 8).Select(i => $"msg_slow_{i}").ToList();
        foreach (var id in ids)
        {
            using var response = await first.Client.SendAsync(Signed(id));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var inbox = first.Services.GetRequiredService<IWebhookInbox>();
        await Eventually.TrueAsync(
            async () => (await Task.WhenAll(ids.Select(id => inbox.FindAsync("store", id)))).All(m => m!.Status == InboxMessageStatus.Processed),
            TimeSpan.FromSeconds(60));

        Assert.Equal(ids.Order(), starts.ByMessage.Keys.Order());
        Assert.All(ids, id => Assert.Equal(1, starts.ByMessage[id]));
        Assert.All(await Task.WhenAll(ids.Select(id => inbox.FindAsync("store", id))), m => Assert.Equal(1, m!.Attempts));
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task ProcessorThatLostItsClaim_CannotCompleteTheMessage_TheNewHolderDecides()
    {
        var schema = TestNames.Unique();
        var starts = new Starts { HandlerTime = TimeSpan.FromSeconds(3) };
        await using var app = await StartAsync(schema, starts, o => o.ProcessingLease = TimeSpan.FromSeconds(1));
        using (var response = await app.Client.SendAsync(Signed("msg_taken")))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await Eventually.TrueAsync(() => starts.ByMessage.ContainsKey("msg_taken"));

        // Another processor takes the message over (as after a lease expiry): a new claim token, a long lease.
        await using (var steal = postgres.DataSource.CreateCommand(
            $"update \"{schema}\".inbox set claim_token = gen_random_uuid(), locked_until = now() + interval '1 hour' where message_id = 'msg_taken'"))
        {
            Assert.Equal(1, await steal.ExecuteNonQueryAsync());
        }

        await Eventually.TrueAsync(() => starts.Ended.ContainsKey("msg_taken")); // told to stop, or ran to its end
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // an outcome write would follow the handler at once
        Assert.Equal("pending", await StatusAsync(schema, "msg_taken")); // the first processor wrote nothing
        Assert.Equal(1, starts.ByMessage["msg_taken"]);
    }

    /// <summary>Its first run waits to be told to stop; later runs finish at once. Counts runs at the same time.</summary>
    public sealed class FirstRunWaits
    {
        private int _running;
        private int _starts;
        private int _mostAtOnce;

        public int MostAtOnce => Volatile.Read(ref _mostAtOnce);

        public TaskCompletionSource FirstStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource FirstStopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask RunAsync(CancellationToken cancellationToken)
        {
            var start = Interlocked.Increment(ref _starts);
            var running = Interlocked.Increment(ref _running);
            InterlockedMax(ref _mostAtOnce, running);
            try
            {
                if (start == 1)
                {
                    FirstStarted.TrySetResult();
                    try
                    {
                        await Task.Delay(TimeSpan.FromMinutes(2), cancellationToken);
                    }
                    finally
                    {
                        FirstStopped.TrySetResult();
                    }
                }
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
            {
                if (Interlocked.CompareExchange(ref target, value, seen) == seen)
                {
                    return;
                }
            }
        }
    }

    public sealed class FirstRunWaitsHandler(FirstRunWaits runs) : IWebhookHandler
    {
        public ValueTask HandleAsync(WebhookMessage message, CancellationToken cancellationToken) => runs.RunAsync(cancellationToken);
    }

    [IntegrationTheory(TestServer.Postgres)]
    [InlineData("refused")]   // PostgreSQL down: the renewals fail at once
    [InlineData("hung")]      // PostgreSQL blackholed: the renewals hang for their command timeout
    public async Task AProcessorCutOffFromPostgresPastItsLease_StopsItsHandler_AndTheMessageRunsOnceAtATime(string cut)
    {
        var schema = TestNames.Unique();
        var direct = new Npgsql.NpgsqlConnectionStringBuilder(postgres.ConnectionString);
        await using var proxy = TcpChaosProxy.Start($"{direct.Host}:{direct.Port}");
        var throughProxy = new Npgsql.NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 2 }.ConnectionString;
        var runs = new FirstRunWaits();
        await using var app = await StartAsync<FirstRunWaitsHandler, FirstRunWaits>(schema, runs, o => o.ProcessingLease = TimeSpan.FromSeconds(1), throughProxy);
        using (var response = await app.Client.SendAsync(Signed("msg_cut")))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await runs.FirstStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        if (cut == "refused")
        {
            proxy.Refuse();   // PostgreSQL unreachable: the lease can't be renewed, and runs out
        }
        else
        {
            proxy.Hang();
        }

        // Another instance may now claim the message: this one's handler is told to stop without hearing from PostgreSQL.
        await runs.FirstStopped.Task.WaitAsync(TimeSpan.FromSeconds(30));
        proxy.Restore();

        await Eventually.TrueAsync(async () => await StatusAsync(schema, "msg_cut") == "processed", TimeSpan.FromSeconds(60));
        Assert.Equal(1, runs.MostAtOnce);
    }

    [IntegrationFact(TestServer.Postgres)]
    public async Task MessageThatKillsItsProcessorEveryTime_IsParkedDeadAfterMaxAttempts()
    {
        var schema = TestNames.Unique();
        await using (var receiver = await StartAsync(schema, new Starts(), o => o.RunInboxProcessor = false))
        {
            using var response = await receiver.Client.SendAsync(Signed("msg_poison", "poison.pill"));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        const int maxAttempts = 3;
        var handled = 0;
        for (var run = 0; run < maxAttempts; run++)
        {
            using var processor = CrashingProcessor.Start(postgres.ConnectionString, schema, maxAttempts);
            var line = await processor.NextLineAsync(TimeSpan.FromSeconds(60));
            Assert.StartsWith("HANDLING store/msg_poison", line, StringComparison.Ordinal);
            handled++;
            processor.Kill(); // SIGKILL mid-handler: no outcome is ever written
        }

        // The next processor finds it claimed maxAttempts times without an outcome and parks it instead of running it.
        using (var last = CrashingProcessor.Start(postgres.ConnectionString, schema, maxAttempts))
        {
            await Eventually.TrueAsync(async () => await StatusAsync(schema, "msg_poison") == "dead", TimeSpan.FromSeconds(60));
            Assert.Null(await last.NextLineAsync(TimeSpan.FromSeconds(2)));
            last.Kill();
        }

        Assert.Equal(maxAttempts, handled);
        await using var command = postgres.DataSource.CreateCommand($"select attempts, last_error from \"{schema}\".inbox where message_id = 'msg_poison'");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(maxAttempts, reader.GetInt32(0));
        Assert.Contains("without an outcome", reader.GetString(1), StringComparison.Ordinal);
    }

    /// <summary>The inbox processor of <c>tests/Commerce.Webhooks.CrashingProcessor</c>, in a process of its own.</summary>
    private sealed class CrashingProcessor : IDisposable
    {
        private readonly Process _process;
        private readonly System.Threading.Channels.Channel<string> _lines = System.Threading.Channels.Channel.CreateUnbounded<string>();

        private CrashingProcessor(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    _lines.Writer.TryWrite(line);
                }
            };
            _process.BeginOutputReadLine();
        }

        public static CrashingProcessor Start(string connectionString, string schema, int maxAttempts)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Commerce.Webhooks.CrashingProcessor.dll"));
            start.ArgumentList.Add(connectionString);
            start.ArgumentList.Add(schema);
            start.ArgumentList.Add(maxAttempts.ToString(CultureInfo.InvariantCulture));
            return new CrashingProcessor(Process.Start(start)!);
        }

        /// <summary>The next line it prints, or null if none comes within <paramref name="wait"/>.</summary>
        public async Task<string?> NextLineAsync(TimeSpan wait)
        {
            using var timeout = new CancellationTokenSource(wait);
            try
            {
                return await _lines.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        /// <summary>SIGKILL: the process stops at once, no shutdown code runs.</summary>
        public void Kill()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
        }
    }
}
