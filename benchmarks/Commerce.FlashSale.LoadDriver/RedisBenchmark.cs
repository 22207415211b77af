// Runs redis-benchmark with the reserve script (EVALSHA of the library's own script text, random reservation and
// user ids, pipelining) against one server, and reads back its rate: the baseline both driver modes compare with.
using System.Diagnostics;
using System.Globalization;
using Commerce.FlashSale.Internal;
using StackExchange.Redis;

internal static class RedisBenchmark
{
    /// <summary>The redis-benchmark arguments for <paramref name="keys"/> (the sale's seven keys) and the script's ARGV tail.</summary>
    public static string[] Arguments(string host, int port, string sha, IEnumerable<string> keys, int requests, int clients, string lazySweep, string ratePermits) =>
    [
        "-h", host, "-p", port.ToString(CultureInfo.InvariantCulture), "-n", requests.ToString(CultureInfo.InvariantCulture),
        "-c", clients.ToString(CultureInfo.InvariantCulture), "-P", "16", "-r", "100000000", "--csv",
        "EVALSHA", sha, "7", .. keys, "", "res:__rand_int__", "user:__rand_int__", "p1", "1", "300000", lazySweep, ratePermits, "60000",
    ];

    /// <summary>Loads the reserve script on <paramref name="server"/> and returns its sha.</summary>
    public static async Task<string> LoadAsync(IServer server) =>
        Convert.ToHexStringLower((byte[])(await server.ScriptLoadAsync(FlashSaleScripts.Reserve))!);

    /// <summary>Runs redis-benchmark; returns its CSV row's cells (rate, then latencies), empty if it printed none.</summary>
    public static async Task<string[]> RunAsync(string[] arguments)
    {
        var psi = new ProcessStartInfo("redis-benchmark") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in arguments)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("\"EVALSHA", StringComparison.Ordinal)) ?? "";
        return line.Length == 0 ? [] : line.Split(',').Select(c => c.Trim('"')).ToArray();
    }

    /// <summary>The rate (scripts/s) in a CSV row, NaN when there is none.</summary>
    public static double Rate(string[] cells) => cells.Length > 1 ? double.Parse(cells[1], CultureInfo.InvariantCulture) : double.NaN;

    /// <summary>Scripts run so far on <paramref name="servers"/> (INFO commandstats: EVAL and EVALSHA calls).</summary>
    public static async Task<long> ScriptCallsAsync(IEnumerable<IServer> servers)
    {
        long calls = 0;
        foreach (var server in servers)
        {
            calls += (await server.InfoAsync("commandstats")).SelectMany(g => g).Where(p => p.Key is "cmdstat_evalsha" or "cmdstat_eval")
                .Sum(p => long.Parse(p.Value.Split("calls=")[1].Split(',')[0], CultureInfo.InvariantCulture));
        }

        return calls;
    }
}
