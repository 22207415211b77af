using BenchmarkDotNet.Running;
using Commerce.Webhooks.Benchmarks;

// ./build.sh bench webhooks verify      BenchmarkDotNet: verification cost
// ./build.sh bench webhooks ingest      load driver: HTTP to committed inbox
if (args.Length > 0 && args[0] == "ingest")
{
    return await IngestionDriver.RunAsync(args[1..]);
}

var rest = args.Length > 0 && args[0] == "verify" ? args[1..] : args;
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.Length == 0 ? ["--filter", "*"] : rest);
return 0;
