namespace Commerce.Caching;

/// <summary>One entry to warm: its key, scope, settings and factory (see <see cref="ICommerceCacheWarmup"/>).</summary>
public abstract class CacheWarmupEntry
{
    private protected CacheWarmupEntry(string key, string? scope)
    {
        Key = key;
        Scope = scope;
    }

    /// <summary>The cache key.</summary>
    public string Key { get; }

    /// <summary>The scope of the key, or null.</summary>
    public string? Scope { get; }

    /// <summary>An entry loaded as <c>cache.GetOrSetAsync(key, factory, options, scope)</c> would load it.</summary>
    /// <typeparam name="T">The type of the value.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="factory">Computes the value when neither memory nor Redis holds it.</param>
    /// <param name="options">Entry settings; null for the defaults.</param>
    /// <param name="scope">The scope of the key, or null.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="factory"/> is null.</exception>
    public static CacheWarmupEntry Create<T>(string key, Func<CancellationToken, ValueTask<T>> factory, CommerceCacheEntryOptions? options = null, string? scope = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(factory);
        return new Typed<T>(key, factory, options, scope);
    }

    /// <summary>Loads the entry through <paramref name="cache"/>.</summary>
    internal abstract ValueTask WarmAsync(CommerceCache cache, CancellationToken cancellationToken);

    private sealed class Typed<T>(string key, Func<CancellationToken, ValueTask<T>> factory, CommerceCacheEntryOptions? options, string? scope)
        : CacheWarmupEntry(key, scope)
    {
        internal override async ValueTask WarmAsync(CommerceCache cache, CancellationToken cancellationToken) =>
            await cache.GetOrSetAsync(Key, factory, options, Scope, cancellationToken).ConfigureAwait(false);
    }
}
