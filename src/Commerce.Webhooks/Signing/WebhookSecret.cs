using System.Security.Cryptography;

namespace Commerce.Webhooks;

/// <summary>
/// A signing secret. Standard Webhooks secrets are written <c>whsec_&lt;base64&gt;</c>; GitHub and Shopify secrets
/// are plain text (<see cref="FromText"/>). <see cref="ToString"/> hides the key.
/// </summary>
public sealed class WebhookSecret
{
    /// <summary>The prefix of Standard Webhooks secrets.</summary>
    public const string Prefix = "whsec_";

    /// <summary>The shortest Standard Webhooks secret the specification allows: 24 bytes.</summary>
    public const int MinimumBytes = 24;

    /// <summary>The longest Standard Webhooks secret the specification allows: 64 bytes.</summary>
    public const int MaximumBytes = 64;

    private WebhookSecret(byte[] key) => Key = key;

    /// <summary>The raw key bytes.</summary>
    public ReadOnlyMemory<byte> Key { get; }

    /// <summary>Parses a Standard Webhooks secret, with or without its <c>whsec_</c> prefix.</summary>
    /// <param name="secret">For example <c>whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw</c>.</param>
    /// <returns>The secret.</returns>
    /// <exception cref="ArgumentException">It is empty, not base64, or not 24 to 64 bytes long.</exception>
    public static WebhookSecret Parse(string secret)
    {
        var key = Internal.PrefixedKey.Decode(secret, Prefix, "secret", nameof(secret));
        EnsureStandardLength(key.Length, nameof(secret));
        return new WebhookSecret(key);
    }

    /// <summary>A secret whose key is the UTF-8 bytes of <paramref name="text"/> (GitHub, Shopify).</summary>
    /// <param name="text">The secret as configured on the platform.</param>
    /// <returns>The secret.</returns>
    public static WebhookSecret FromText(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        return new WebhookSecret(System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Throws unless <paramref name="length"/> is within the Standard Webhooks bounds.</summary>
    internal static void EnsureStandardLength(int length, string parameter)
    {
        if (length is < MinimumBytes or > MaximumBytes)
        {
            throw new ArgumentException(
                $"A Standard Webhooks secret is {MinimumBytes} to {MaximumBytes} bytes; this one is {length}. Generate one with WebhookSecret.Generate().",
                parameter);
        }
    }

    /// <summary>A new random 32-byte secret.</summary>
    /// <returns>The secret; write it down with <see cref="Export"/>.</returns>
    public static WebhookSecret Generate() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>The secret in Standard Webhooks form, <c>whsec_&lt;base64&gt;</c>.</summary>
    /// <returns>The secret as text.</returns>
    public string Export() => Prefix + Convert.ToBase64String(Key.Span);

    /// <inheritdoc />
    public override string ToString() => Prefix + "***";
}
