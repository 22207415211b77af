using System.Buffers;

namespace Commerce.Caching.Internal;

/// <summary>
/// HybridCache's rules for keys: null, empty or whitespace, longer than <see cref="CommerceCacheOptions.MaximumKeyLength"/>,
/// or with a control character (U+0000 to U+001F). Such a key bypasses the cache (logged, never an exception).
/// </summary>
internal static class KeyRules
{
    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(Enumerable.Range(0, 32).Select(c => (char)c).ToArray());

    /// <summary>What is wrong with <paramref name="key"/>, or null when it can be used.</summary>
    public static string? Problem(string? key, int maximumLength)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            return "empty or whitespace";
        }

        if (key.Length > maximumLength)
        {
            return $"{key.Length} characters long, above MaximumKeyLength ({maximumLength})";
        }

        if (key.AsSpan().ContainsAny(ControlCharacters))
        {
            return "holding a control character";
        }

        return null;
    }
}
