using NSec.Cryptography;

namespace Commerce.Webhooks;

/// <summary>
/// An Ed25519 public key that verifies Standard Webhooks' asymmetric <c>v1a</c> signatures, written
/// <c>whpk_&lt;base64 of the 32-byte key&gt;</c>. The sender keeps the private key; the receiver needs only this, so it
/// can't forge webhooks. Ed25519 comes from NSec (libsodium). <see cref="ToString"/> shows the key: it is not a secret.
/// </summary>
public sealed class WebhookPublicKey
{
    /// <summary>The prefix of Standard Webhooks public keys.</summary>
    public const string Prefix = "whpk_";

    private WebhookPublicKey(byte[] key, PublicKey imported)
    {
        Key = key;
        Imported = imported;
    }

    /// <summary>The raw 32 key bytes.</summary>
    public ReadOnlyMemory<byte> Key { get; }

    internal PublicKey Imported { get; }

    /// <summary>Parses a public key, with or without its <c>whpk_</c> prefix.</summary>
    /// <param name="publicKey">For example <c>whpk_ZlN4eg7dSSqi0moX9hQUk3orrOouK3QVQSlJa248c/g=</c>.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">It is empty, not base64, or not a 32-byte Ed25519 key.</exception>
    public static WebhookPublicKey Parse(string publicKey)
    {
        var key = Internal.PrefixedKey.Decode(publicKey, Prefix, "public key", nameof(publicKey));
        if (key.Length != 32 || !PublicKey.TryImport(SignatureAlgorithm.Ed25519, key, KeyBlobFormat.RawPublicKey, out var imported))
        {
            throw new ArgumentException($"A webhook public key is a 32-byte Ed25519 key; this one is {key.Length} bytes.", nameof(publicKey));
        }

        return new WebhookPublicKey(key, imported!);
    }

    /// <summary>The key in Standard Webhooks form, <c>whpk_&lt;base64&gt;</c>.</summary>
    /// <returns>The key as text.</returns>
    public string Export() => Prefix + Convert.ToBase64String(Key.Span);

    /// <inheritdoc />
    public override string ToString() => Export();
}
