using System.Runtime.CompilerServices;

namespace Commerce.Testing;

/// <summary>Names that keep parallel tests apart (Redis key prefixes, schemas, databases).</summary>
public static class TestNames
{
    /// <summary>
    /// A name unique to this call: the test's name (lower-cased, trimmed) and a random suffix.
    /// Valid as a Redis key part and as an unquoted PostgreSQL identifier.
    /// </summary>
    public static string Unique([CallerMemberName] string name = "")
    {
        var stem = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        if (stem.Length > 40)
        {
            stem = stem[..40];
        }

        if (stem.Length == 0 || !char.IsAsciiLetter(stem[0]))
        {
            stem = "t_" + stem;
        }

        return $"{stem}_{Guid.NewGuid():N}"[..(stem.Length + 9)];
    }
}
