using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using NSec.Cryptography;

namespace Commerce.Webhooks;

/// <summary>
/// Verifies Standard Webhooks 1.0: the message id, a timestamp within the tolerance (both directions) and at least one
/// signature entry matching, compared in constant time: <c>v1</c> (HMAC-SHA256) against the secrets, <c>v1a</c>
/// (Ed25519) against the public keys. The headers are read under their <c>webhook-*</c> names or Svix's <c>svix-*</c>
/// names; several signature header lines are one list. Entries of unknown versions, and malformed entries, are
/// skipped: they never hide a valid signature after them.
/// </summary>
public sealed class StandardWebhookVerifier : IWebhookVerifier
{
    /// <summary>The default timestamp tolerance: 5 minutes.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private const int MaxKeys = 16;
    private readonly WebhookSecret[] _secrets;
    private readonly WebhookPublicKey[] _publicKeys;
    private readonly long _toleranceSeconds;
    private readonly TimeProvider _time;

    /// <summary>Creates a verifier of HMAC (<c>v1</c>) signatures.</summary>
    /// <param name="secrets">Every active secret of the source (several during a rotation), at most 16, each 24 to 64 bytes.</param>
    /// <param name="tolerance">How far the timestamp may be from now, either way. Default 5 minutes.</param>
    /// <param name="time">The clock. Default the system clock.</param>
    /// <exception cref="ArgumentException">No secret, more than 16, or one outside the specification's length.</exception>
    public StandardWebhookVerifier(IEnumerable<WebhookSecret> secrets, TimeSpan? tolerance = null, TimeProvider? time = null)
        : this(secrets, [], tolerance, time)
    {
    }

    /// <summary>Creates a verifier of HMAC (<c>v1</c>) and Ed25519 (<c>v1a</c>) signatures.</summary>
    /// <param name="secrets">The source's secrets for <c>v1</c>; may be empty when it signs with Ed25519 only.</param>
    /// <param name="publicKeys">The source's Ed25519 public keys for <c>v1a</c>; may be empty.</param>
    /// <param name="tolerance">How far the timestamp may be from now, either way. Default 5 minutes.</param>
    /// <param name="time">The clock. Default the system clock.</param>
    /// <exception cref="ArgumentException">Neither a secret nor a key, more than 16 of either, or a secret outside the specification's length.</exception>
    public StandardWebhookVerifier(IEnumerable<WebhookSecret> secrets, IEnumerable<WebhookPublicKey> publicKeys, TimeSpan? tolerance = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(publicKeys);
        _secrets = secrets.ToArray();
        _publicKeys = publicKeys.ToArray();
        if (_secrets.Length + _publicKeys.Length == 0 || _secrets.Length > MaxKeys || _publicKeys.Length > MaxKeys)
        {
            throw new ArgumentException($"A source needs 1 to {MaxKeys} secrets or public keys.", nameof(secrets));
        }

        foreach (var secret in _secrets)
        {
            WebhookSecret.EnsureStandardLength(secret.Key.Length, nameof(secrets));
        }

        _toleranceSeconds = (long)(tolerance ?? DefaultTolerance).TotalSeconds;
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public WebhookVerificationResult Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var id = Read(headers, WebhookHeaders.Id, WebhookHeaders.SvixId).ToString();
        var timestampText = Read(headers, WebhookHeaders.Timestamp, WebhookHeaders.SvixTimestamp).ToString();
        var signatures = Read(headers, WebhookHeaders.Signature, WebhookHeaders.SvixSignature);
        if (id.Length == 0 || timestampText.Length == 0 || StringValues.IsNullOrEmpty(signatures))
        {
            return WebhookVerificationResult.Fail(WebhookVerificationFailure.MissingHeader,
                $"The {WebhookHeaders.Id}, {WebhookHeaders.Timestamp} and {WebhookHeaders.Signature} headers (or their svix-* names) are required.");
        }

        if (!long.TryParse(timestampText, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
        {
            return WebhookVerificationResult.Fail(WebhookVerificationFailure.MalformedTimestamp, $"{WebhookHeaders.Timestamp} must be whole seconds since the Unix epoch.");
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (timestamp < now - _toleranceSeconds)
        {
            return WebhookVerificationResult.Fail(WebhookVerificationFailure.TimestampTooOld, $"The message was signed more than {_toleranceSeconds} s ago.");
        }

        if (timestamp > now + _toleranceSeconds)
        {
            return WebhookVerificationResult.Fail(WebhookVerificationFailure.TimestampInFuture, $"The message is signed more than {_toleranceSeconds} s in the future.");
        }

        var content = StandardWebhookSigner.RentSignedContent(id, timestamp, body, out var length);
        try
        {
            return Matches(signatures, content.AsSpan(0, length))
                ? WebhookVerificationResult.Valid(id, DateTimeOffset.FromUnixTimeSeconds(timestamp))
                : WebhookVerificationResult.Fail(WebhookVerificationFailure.NoValidSignature, "No v1 or v1a signature matches a secret or key of this source.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(content);
        }
    }

    private static StringValues Read(IHeaderDictionary headers, string name, string svixName) =>
        headers.TryGetValue(name, out var value) && !StringValues.IsNullOrEmpty(value) ? value : headers[svixName];

    private bool Matches(StringValues lines, ReadOnlySpan<byte> content)
    {
        Span<byte> expected = stackalloc byte[32 * MaxKeys];
        for (var i = 0; i < _secrets.Length; i++)
        {
            HMACSHA256.HashData(_secrets[i].Key.Span, content, expected.Slice(i * 32, 32));
        }

        Span<byte> candidate = stackalloc byte[65];
        foreach (var line in lines)
        {
            var remaining = (line ?? string.Empty).AsSpan();
            while (!remaining.IsEmpty)
            {
                var space = remaining.IndexOf(' ');
                var entry = space < 0 ? remaining : remaining[..space];
                remaining = space < 0 ? default : remaining[(space + 1)..];
                if (entry.StartsWith("v1,", StringComparison.Ordinal)
                    && Convert.TryFromBase64Chars(entry[3..], candidate, out var written) && written == 32)
                {
                    for (var i = 0; i < _secrets.Length; i++)
                    {
                        if (CryptographicOperations.FixedTimeEquals(candidate[..32], expected.Slice(i * 32, 32)))
                        {
                            return true;
                        }
                    }
                }
                else if (entry.StartsWith("v1a,", StringComparison.Ordinal)
                    && Convert.TryFromBase64Chars(entry[4..], candidate, out written) && written == 64)
                {
                    foreach (var key in _publicKeys)
                    {
                        if (SignatureAlgorithm.Ed25519.Verify(key.Imported, content, candidate[..64]))
                        {
                            return true;
                        }
                    }
                }

                // another version, or malformed: look at the next one
            }
        }

        return false;
    }
}
