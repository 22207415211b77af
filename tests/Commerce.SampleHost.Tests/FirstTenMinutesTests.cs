using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Commerce.StoreSimulator;
using Commerce.Testing;
using Xunit;

namespace Commerce.SampleHost.Tests;

/// <summary>What a newcomer meets in the first ten minutes: the scripts and the simulator, run for real.</summary>
public sealed class FirstTenMinutesTests(SystemFixture system) : IClassFixture<SystemFixture>
{
    private static readonly string Root = FindRoot();

    [Fact]
    public async Task TheTestSummary_CountsSkippedTests_AndSaysWhyEachWasSkipped()
    {
        var dir = Directory.CreateTempSubdirectory("trx").FullName;
        // What VSTest writes for xUnit: a skipped test is outcome NotExecuted, while the notExecuted counter stays 0.
        await File.WriteAllTextAsync(Path.Combine(dir, "a.trx"), """
            <?xml version="1.0" encoding="utf-8"?>
            <TestRun><Results>
                <UnitTestResult testName="Commerce.X.Passes" outcome="Passed" />
                <UnitTestResult testName="Commerce.X.NeedsChromium" outcome="NotExecuted">
                  <Output>
                    <ErrorInfo>
                      <Message>Chromium not found at /usr/bin/chromium.</Message>
                    </ErrorInfo>
                  </Output>
                </UnitTestResult>
              </Results>
              <ResultSummary outcome="Completed">
                <Counters total="2" executed="1" passed="1" failed="0" error="0" timeout="0" aborted="0" inconclusive="0" passedButRunAborted="0" notRunnable="0" notExecuted="0" disconnected="0" warning="0" completed="0" inProgress="0" pending="0" />
              </ResultSummary>
            </TestRun>
            """);

        var (code, output, _) = await RunAsync("bash", ["eng/test-summary.sh", dir]);

        Assert.Equal(0, code);
        var lines = output.Trim().Split('\n');
        Assert.Equal("tests: 1 passed, 0 failed, 1 skipped", lines[^1]);
        Assert.Contains("skipped: Commerce.X.NeedsChromium: Chromium not found at /usr/bin/chromium.", lines);
    }

    [Fact]
    public async Task TheTestSummary_NamesEachFailedTest_WithItsMessagesFirstLine()
    {
        var dir = Directory.CreateTempSubdirectory("trx").FullName;
        // A CI log shows its end: the summary names what failed there, not only how many.
        await File.WriteAllTextAsync(Path.Combine(dir, "a.trx"), """
            <?xml version="1.0" encoding="utf-8"?>
            <TestRun><Results>
                <UnitTestResult testName="Commerce.X.Passes" outcome="Passed" />
                <UnitTestResult testName="Commerce.X.TimedOut" outcome="Timeout" />
                <UnitTestResult testName="Commerce.X.Reports(zone: &quot;Asia/Bangkok&quot;)" outcome="Failed">
                  <Output>
                    <ErrorInfo>
                      <Message>Assert.Equal() Failure: Values differ &amp; more
            Expected: 1
            Actual:   2</Message>
                      <StackTrace>at Commerce.X.Reports()</StackTrace>
                    </ErrorInfo>
                  </Output>
                </UnitTestResult>
              </Results>
              <ResultSummary outcome="Failed">
                <Counters total="3" executed="3" passed="1" failed="1" error="0" timeout="1" aborted="0" inconclusive="0" passedButRunAborted="0" notRunnable="0" notExecuted="0" disconnected="0" warning="0" completed="0" inProgress="0" pending="0" />
              </ResultSummary>
            </TestRun>
            """);

        var (code, output, _) = await RunAsync("bash", ["eng/test-summary.sh", dir]);

        Assert.Equal(0, code);
        var lines = output.Trim().Split('\n');
        Assert.Equal("tests: 1 passed, 2 failed, 0 skipped", lines[^1]);
        Assert.Contains("failed: Commerce.X.Reports(zone: \"Asia/Bangkok\"): Assert.Equal() Failure: Values differ & more", lines);
        Assert.Contains("failed: Commerce.X.TimedOut", lines);   // a result without a message is named too
        Assert.DoesNotContain(lines, line => line.Contains("Expected", StringComparison.Ordinal));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Services_OnAMachineWhereAnotherServerHasThePostgresPort_SayWhatToDo()
    {
        using var foreign = new TcpListener(System.Net.IPAddress.Loopback, 0);   // stands for Debian's own PostgreSQL
        foreign.Start();
        var port = ((System.Net.IPEndPoint)foreign.LocalEndpoint).Port;
        var redis = system.Redis.Split(',')[0].Split(':')[1];

        var (code, _, errors) = await RunAsync("bash", ["eng/services.sh", "start"], new()
        {
            ["COMMERCE_PG_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["COMMERCE_REDIS_PORT"] = redis,
        });

        Assert.NotEqual(0, code);
        Assert.Contains($"127.0.0.1:{port} is taken by another server", errors, StringComparison.Ordinal);
        Assert.Contains("COMMERCE_PG_PORT=5433", errors, StringComparison.Ordinal);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task TheSimulator_StopsOnSigterm_AndASecondRunDoesNotAddItsHistoryAgain()
    {
        var shop = TestNames.Unique("shop");
        var history = await RunSimulatorUntilSyncedThenTerminateAsync(shop);
        await RunSimulatorUntilSyncedThenTerminateAsync(shop);

        // Everything sent is delivered: what a stopped run left in the storefront's outbox goes with the next sender.
        await using var sender = await Simulated.StartAsync(system.Postgres, system.A.Address, TestNames.Unique("shop"), seed: 1);
        await using var db = Npgsql.NpgsqlDataSource.Create(system.Postgres);
        await Eventually.TrueAsync(async () =>
        {
            await using var pending = db.CreateCommand("select count(*) from store_simulator.outbox where status = 'pending'");
            return (long)(await pending.ExecuteScalarAsync())! == 0;
        }, TimeSpan.FromSeconds(60), because: "the storefront's outbox drains");
        using var seller = await new FlashSaleCrowd([system.A.Address], shop).ClientAsync(system.A.Address, "seller", "seller", default);
        await Eventually.TrueAsync(async () =>
            (await seller.GetFromJsonAsync<JsonElement>($"api/reports/metrics?shopId={shop}")).GetProperty("totalOrders").GetInt32() >= history,
            TimeSpan.FromSeconds(60), because: "the history reaches the reports");
        await Eventually.TrueAsync(async () => !await PendingInboxAsync(db), TimeSpan.FromSeconds(60), because: "the host projects what it received");

        var orders = (await seller.GetFromJsonAsync<JsonElement>($"api/reports/metrics?shopId={shop}")).GetProperty("totalOrders").GetInt32();
        Assert.InRange(orders, history, history + 2);   // the history once, plus at most one live order per run
    }

    /// <summary>Runs the simulator until it has synced its history, then SIGTERM; returns the history's counted orders.</summary>
    private async Task<int> RunSimulatorUntilSyncedThenTerminateAsync(string shop)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "Commerce.StoreSimulator.dll"), "--host", system.A.Address.ToString(), "--shop", shop,
            "--products", "5", "--days", "3", "--per-day", "15", "--rate", "0",
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ConnectionStrings__Postgres"] = system.Postgres;   // the environment wins over the command line
        using var simulator = Process.Start(start)!;
        var errors = simulator.StandardError.ReadToEndAsync();
        int? orders = null;
        var seen = new System.Text.StringBuilder();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (await simulator.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            seen.AppendLine(line);
            // "sent N webhooks; this run's orders should add revenue R THB, orders X, ..."
            if (line.Contains("this run's orders should add", StringComparison.Ordinal))
            {
                orders = int.Parse(line.Split("orders ")[2].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
                break;
            }
        }

        if (orders is null)
        {
            simulator.Kill();
            Assert.Fail("the simulator did not sync its history: " + seen + await errors);
        }
        using (var kill = Process.Start("kill", ["-TERM", simulator.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        _ = simulator.StandardOutput.ReadToEndAsync();
        await Eventually.TrueAsync(() => simulator.HasExited, TimeSpan.FromSeconds(30), because: "SIGTERM stops the simulator");
        return orders!.Value;
    }

    private static async Task<bool> PendingInboxAsync(Npgsql.NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand("select count(*) from webhooks.inbox where status = 'pending'");
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    private static async Task<(int Code, string Output, string Errors)> RunAsync(string file, string[] arguments, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await errors);
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Commerce.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Commerce.sln not found above " + AppContext.BaseDirectory);
    }
}
