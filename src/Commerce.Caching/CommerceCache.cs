using Microsoft.Extensions.Caching.Hybrid;

namespace Commerce.Caching;

/// <summary>
/// A two-level cache (memory, then Redis) with stampede protection, O(1) invalidation of a scope or tag
/// across every instance, and fail-safe when Redis or the factory fails.
/// </summary>
/// <remarks>
/// <para>
/// It is a <see cref="HybridCache"/>: code written against that abstraction uses it unchanged. The members
/// declared here add what <see cref="HybridCache"/> lacks: scopes, try-get without a factory, per-entry fail-safe
/// and batch get-or-set.
/// </para>
/// <para>
/// A <em>scope</em> groups entries that are invalidated together, such as everything of one shop
/// (<c>"shop:42"</c>). A key belongs to one scope: pass the same scope whenever you use that key. Values are
/// shared between callers from the memory level, so treat cached objects as immutable.
/// </para>
/// </remarks>
public abstract class CommerceCache : HybridCache
{
    /// <summary>Gets the value of <paramref name="key"/>, or runs <paramref name="factory"/> once and caches its result.</summary>
    /// <typeparam name="TState">The type of <paramref name="state"/>, passed to the factory to avoid a closure.</typeparam>
    /// <typeparam name="T">The type of the value.</typeparam>
    /// <param name="key">The key, unique across scopes.</param>
    /// <param name="state">State for the factory.</param>
    /// <param name="factory">Computes the value on a miss; concurrent misses of one key share one call.</param>
    /// <param name="options">Entry settings; null for the defaults.</param>
    /// <param name="scope">The scope of the key (for example <c>"shop:42"</c>), or null. It must not contain <c>{</c> or <c>}</c>.</param>
    /// <param name="cancellationToken">Cancels this caller's wait. The factory is cancelled only when every caller waiting for it has cancelled.</param>
    /// <returns>The cached or computed value.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty or <paramref name="scope"/> is malformed.</exception>
    /// <remarks>Exceptions of the factory reach the caller, unless the entry is fail-safe and a previous value exists.</remarks>
    public abstract ValueTask<T> GetOrSetAsync<TState, T>(
        string key,
        TState state,
        Func<TState, CancellationToken, ValueTask<T>> factory,
        CommerceCacheEntryOptions? options = null,
        string? scope = null,
        CancellationToken cancellationToken = default);

    /// <summary>Gets the value of <paramref name="key"/>, or runs <paramref name="factory"/> once and caches its result.</summary>
    /// <typeparam name="T">The type of the value.</typeparam>
    /// <param name="key">The key, unique across scopes.</param>
    /// <param name="factory">Computes the value on a miss; concurrent misses of one key share one call.</param>
    /// <param name="options">Entry settings; null for the defaults.</param>
    /// <param name="scope">The scope of the key, or null.</param>
    /// <param name="cancellationToken">Cancels this caller's wait.</param>
    /// <returns>The cached or computed value.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty or <paramref name="scope"/> is malformed.</exception>
    public ValueTask<T> GetOrSetAsync<T>(
        string key,
        Func<CancellationToken, ValueTask<T>> factory,
        CommerceCacheEntryOptions? options = null,
        string? scope = null,
        CancellationToken cancellationToken = default) =>
        GetOrSetAsync(key, factory, static (f, ct) => f(ct), options, scope, cancellationToken);

    /// <summary>Gets the value of <paramref name="key"/> if a fresh one is cached, without computing it.</summary>
    /// <typeparam name="T">The type of the value.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="scope">The scope of the key, or null.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The value, or <see cref="CacheValue{T}.None"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty or <paramref name="scope"/> is malformed.</exception>
    public abstract ValueTask<CacheValue<T>> TryGetAsync<T>(string key, string? scope = null, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/> in every level.</summary>
    /// <typeparam name="T">The type of the value.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="options">Entry settings; null for the defaults.</param>
    /// <param name="scope">The scope of the key, or null.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the value is written.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty or <paramref name="scope"/> is malformed.</exception>
    public abstract ValueTask SetAsync<T>(string key, T value, CommerceCacheEntryOptions? options, string? scope = null, CancellationToken cancellationToken = default);

    /// <summary>Removes <paramref name="key"/> of <paramref name="scope"/> from every level of every instance.</summary>
    /// <param name="key">The key.</param>
    /// <param name="scope">The scope the key was cached under, or null.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the removal is applied (or queued, when Redis is unreachable).</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty or <paramref name="scope"/> is malformed.</exception>
    public abstract ValueTask RemoveAsync(string key, string? scope, CancellationToken cancellationToken = default);

    /// <summary>
    /// Invalidates every entry of <paramref name="scope"/> in every level of every instance, in O(1): one Redis
    /// command whatever the number of entries or keys in Redis.
    /// </summary>
    /// <param name="scope">The scope, for example <c>"shop:42"</c>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>
    /// A task that completes when this instance no longer serves the scope's old entries and Redis has recorded the
    /// invalidation. When Redis is unreachable the invalidation is applied locally, queued, and sent when Redis returns;
    /// it never throws for that.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="scope"/> is empty or contains <c>{</c> or <c>}</c>.</exception>
    public abstract ValueTask InvalidateScopeAsync(string scope, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets many keys at once: memory first, then one pipelined Redis round trip, then one call of
    /// <paramref name="factory"/> with every key still missing.
    /// </summary>
    /// <typeparam name="T">The type of the values.</typeparam>
    /// <param name="keys">The keys.</param>
    /// <param name="factory">Computes the missing keys; keys it leaves out are absent from the result and not cached.</param>
    /// <param name="options">Entry settings; null for the defaults.</param>
    /// <param name="scope">The scope of the keys, or null.</param>
    /// <param name="cancellationToken">Cancels the wait and the factory.</param>
    /// <returns>The values found or computed, by key.</returns>
    /// <exception cref="ArgumentException">A key is empty or <paramref name="scope"/> is malformed.</exception>
    public abstract ValueTask<IReadOnlyDictionary<string, T>> GetOrSetManyAsync<T>(
        IEnumerable<string> keys,
        Func<IReadOnlyList<string>, CancellationToken, ValueTask<IReadOnlyDictionary<string, T>>> factory,
        CommerceCacheEntryOptions? options = null,
        string? scope = null,
        CancellationToken cancellationToken = default);

    /// <summary>A snapshot of the cache's health.</summary>
    public abstract CommerceCacheStatus Status { get; }
}
