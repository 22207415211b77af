namespace Commerce.Caching.Internal;

/// <summary>Marks that a warm-up type was registered, so registering it twice runs it once.</summary>
internal sealed class WarmupRegistration<TWarmup>
    where TWarmup : class, ICommerceCacheWarmup;
