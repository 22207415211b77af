namespace Commerce.Caching;

/// <summary>
/// The outcome of <see cref="CommerceCache.TryGetAsync{T}(string, string?, CancellationToken)"/>: a value, or none.
/// A miss is a value, not an exception.
/// </summary>
/// <typeparam name="T">The type of the cached value.</typeparam>
public readonly struct CacheValue<T> : IEquatable<CacheValue<T>>
{
    private readonly T? _value;

    /// <summary>Creates a result holding <paramref name="value"/>.</summary>
    /// <param name="value">The cached value.</param>
    public CacheValue(T value)
    {
        _value = value;
        HasValue = true;
    }

    /// <summary>A result without a value (a miss).</summary>
#pragma warning disable CA1000 // a 'None' on the generic type reads best at call sites, as Nullable<T> does
    public static CacheValue<T> None => default;
#pragma warning restore CA1000

    /// <summary>True when the cache held a fresh value for the key.</summary>
    public bool HasValue { get; }

    /// <summary>The value.</summary>
    /// <exception cref="InvalidOperationException">There is no value (<see cref="HasValue"/> is false).</exception>
    public T Value => HasValue ? _value! : throw new InvalidOperationException("The cache held no value for this key.");

    /// <summary>The value, or <paramref name="fallback"/> when there is none.</summary>
    /// <param name="fallback">What to return on a miss.</param>
    /// <returns>The value or the fallback.</returns>
    public T GetValueOrDefault(T fallback) => HasValue ? _value! : fallback;

    /// <inheritdoc />
    public bool Equals(CacheValue<T> other) =>
        HasValue == other.HasValue && EqualityComparer<T?>.Default.Equals(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CacheValue<T> other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(HasValue, _value);

    /// <inheritdoc />
    public override string ToString() => HasValue ? $"Value({_value})" : "None";

    /// <summary>Compares two results.</summary>
    public static bool operator ==(CacheValue<T> left, CacheValue<T> right) => left.Equals(right);

    /// <summary>Compares two results.</summary>
    public static bool operator !=(CacheValue<T> left, CacheValue<T> right) => !left.Equals(right);
}
