namespace Commerce.Webhooks.Internal;

/// <summary>Decodes a Standard Webhooks key written as a prefix and base64 (<c>whsec_...</c>, <c>whpk_...</c>), the prefix optional.</summary>
internal static class PrefixedKey
{
    /// <exception cref="ArgumentException">Empty, or not base64 after the prefix.</exception>
    public static byte[] Decode(string text, string prefix, string what, string parameter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text, parameter);
        var encoded = text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : text;
        try
        {
            return Convert.FromBase64String(encoded);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"A webhook {what} is '{prefix}' followed by base64; this one is not base64.", parameter, e);
        }
    }
}
