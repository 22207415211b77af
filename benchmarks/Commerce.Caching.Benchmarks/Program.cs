using BenchmarkDotNet.Running;

// ./build.sh bench caching [BenchmarkDotNet args], e.g. --filter '*Read*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
