namespace Commerce.Caching.Internal;

/// <summary>What could not reach Redis yet, by what it is about (one pending item per scope, tag or key).</summary>
/// <param name="Kind">One of <see cref="CacheMessages.Scope"/>, <see cref="CacheMessages.Tag"/>, <see cref="CacheMessages.Key"/>.</param>
/// <param name="Name">The scope, tag or key.</param>
/// <param name="Scope">For a key, the scope it was cached under.</param>
internal readonly record struct PendingInvalidation(char Kind, string Name, string? Scope);
