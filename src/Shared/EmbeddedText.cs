using System.Reflection;

namespace Commerce.Shared;

/// <summary>
/// Reads a text file a package embeds (a Lua script, a SQL statement) by its file name. Shared source, linked into
/// each package that keeps scripts or SQL as files, so they can be read, diffed and reviewed as code.
/// </summary>
internal static class EmbeddedText
{
    /// <summary>The content of the embedded file named <paramref name="fileName"/> (for example <c>read.lua</c>).</summary>
    /// <exception cref="InvalidOperationException">The assembly embeds no such file (a build mistake).</exception>
    public static string Read(Assembly assembly, string fileName)
    {
        var suffix = "." + fileName;
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (resource.EndsWith(suffix, StringComparison.Ordinal))
            {
                using var stream = assembly.GetManifestResourceStream(resource)!;
                using var reader = new StreamReader(stream);
                return reader.ReadToEnd();
            }
        }

        throw new InvalidOperationException($"{assembly.GetName().Name} embeds no file named '{fileName}'.");
    }
}
