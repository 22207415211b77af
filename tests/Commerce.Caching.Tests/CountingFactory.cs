namespace Commerce.Caching.Tests;

/// <summary>A factory that counts its calls and returns "value-N" for the Nth call.</summary>
public sealed class CountingFactory
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public Func<CancellationToken, ValueTask<string>> Next => _ =>
        ValueTask.FromResult($"value-{Interlocked.Increment(ref _calls)}");
}
