namespace Commerce.Webhooks.Internal;

/// <summary>
/// The per-message path appended to an endpoint URL: checked when the message is accepted, so it can only ever add
/// segments below the endpoint's path (never change the scheme, host or port, never climb with <c>..</c>), and joined
/// to the endpoint keeping the endpoint's query string.
/// </summary>
internal static class DeliveryPaths
{
    /// <summary>The path as stored (leading slashes dropped), or null for none.</summary>
    /// <exception cref="ArgumentException">The path is absolute, climbs, or holds characters that could change the URL's meaning.</exception>
    public static string? Normalize(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        if (path.StartsWith("//", StringComparison.Ordinal) || path.Contains("://", StringComparison.Ordinal))
        {
            throw Refused(path, "it names a host");
        }

        foreach (var c in path)
        {
            if (c is '\\' or '?' or '#' || char.IsControl(c) || char.IsWhiteSpace(c))
            {
                throw Refused(path, "it holds '\\', '?', '#', whitespace or a control character");
            }
        }

        var relative = path.TrimStart('/');
        var segments = relative.Split('/');
        if (segments[0].Contains(':', StringComparison.Ordinal))
        {
            throw Refused(path, "its first segment looks like a scheme");
        }

        foreach (var segment in segments)
        {
            var decoded = Uri.UnescapeDataString(segment);
            if (decoded is "." or ".." || decoded.Contains('/', StringComparison.Ordinal) || decoded.Contains('\\', StringComparison.Ordinal))
            {
                throw Refused(path, "it climbs out of the endpoint's path");
            }
        }

        return relative.Length == 0 ? null : relative;
    }

    /// <summary>The URL to deliver to: the endpoint's path, then the message's path, then the endpoint's query.</summary>
    /// <exception cref="InvalidOperationException">The result would leave the endpoint's origin (a stored path that predates the check).</exception>
    public static Uri Combine(Uri endpoint, string? path)
    {
        if (path is null)
        {
            return endpoint;
        }

        var combined = new Uri(endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/" + path + endpoint.Query);
        if (!string.Equals(combined.GetLeftPart(UriPartial.Authority), endpoint.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase)
            || !combined.AbsolutePath.StartsWith(endpoint.AbsolutePath.TrimEnd('/'), StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The message path '{path}' would leave the endpoint {endpoint.GetLeftPart(UriPartial.Path)}.");
        }

        return combined;
    }

    private static ArgumentException Refused(string path, string why) =>
        new($"The webhook path '{path}' is refused: {why}. A path is relative segments appended to the endpoint URL.", nameof(path));
}
