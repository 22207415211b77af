namespace Commerce.Caching.Internal;

/// <summary>How far the warm-up has got, shared by the warm-up service (which writes it) and the cache's status.</summary>
internal sealed class CacheWarmupProgress
{
    private int _running;
    private int _warmed;
    private int _failed;

    public bool Running => Volatile.Read(ref _running) != 0;

    public int Warmed => Volatile.Read(ref _warmed);

    public int Failed => Volatile.Read(ref _failed);

    public void Start() => Volatile.Write(ref _running, 1);

    public void Stop() => Volatile.Write(ref _running, 0);

    public void OnWarmed() => Interlocked.Increment(ref _warmed);

    public void OnFailed() => Interlocked.Increment(ref _failed);
}
