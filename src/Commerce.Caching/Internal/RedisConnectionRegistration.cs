using StackExchange.Redis;

namespace Commerce.Caching.Internal;

/// <summary>How the cache gets its Redis connection, registered by <c>WithRedis</c>.</summary>
/// <param name="Connect">Opens (or returns) the connection.</param>
/// <param name="Owned">True when the cache created the connection and disposes it.</param>
internal sealed record RedisConnectionRegistration(Func<IServiceProvider, Task<IConnectionMultiplexer>> Connect, bool Owned);
