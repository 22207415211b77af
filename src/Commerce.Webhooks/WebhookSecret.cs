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

    private WebhookSecret(byte[] key) => Key = key;

    /// <summary>The raw key bytes.</summary>
    public ReadOnlyMemory<byte> Key { get; }

    /// <summary>Parses a Standard Webhooks secret, with or without its <c>whsec_</c> prefix.</summary>
    /// <param name="secret">For example <c>whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw</c>.</param>
    /// <returns>The secret.</returns>
    /// <exception cref="ArgumentException">It is empty or not base64.</exception>
    public static WebhookSecret Parse(string secret)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(secret);
        var encoded = secret.StartsWith(Prefix, StringComparison.Ordinal) ? secret[Prefix.Length..] : secret;
        try
        {
            var key = Convert.FromBase64String(encoded);
            return key.Length == 0 ? throw new ArgumentException("The webhook secret is empty.", nameof(secret)) : new WebhookSecret(key);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"A webhook secret is '{Prefix}' followed by base64; this one is not base64.", nameof(secret), e);
        }
    }

    /// <summary>A secret whose key is the UTF-8 bytes of <paramref name="text"/> (GitHub, Shopify).</summary>
    /// <param name="text">The secret as configured on the platform.</param>
    /// <returns>The secret.</returns>
    public static WebhookSecret FromText(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        return new WebhookSecret(System.Text.Encoding.UTF8.GetBytes(text));
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
