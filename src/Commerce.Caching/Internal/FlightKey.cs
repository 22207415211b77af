using Microsoft.Extensions.Caching.Hybrid;

namespace Commerce.Caching.Internal;

/// <summary>
/// What concurrent callers must share to join one load (HybridCache's rule): the key, the flags that change how it
/// is loaded, and the type it is loaded as.
/// </summary>
internal readonly record struct FlightKey(string Key, HybridCacheEntryFlags Flags, Type Type);
