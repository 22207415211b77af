using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Commerce.Webhooks;

/// <summary>
/// Verifies Standard Webhooks 1.0: <c>webhook-id</c>, <c>webhook-timestamp</c> within the tolerance (both directions)
/// and at least one <c>v1</c> entry of <c>webhook-signature</c> matching one of the secrets, compared in constant time.
/// Entries of unknown versions, and malformed entries, are skipped: they never hide a valid signature after them.
/// </summary>
public sealed class StandardWebhookVerifier : IWebhookVerifier
{
    /// <summary>The default timestamp tolerance: 5 minutes.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private const int MaxSecrets = 16;
    private readonly WebhookSecret[] _secrets;
    private readonly long _toleranceSeconds;
    private readonly TimeProvider _time;

    /// <summary>Creates a verifier.</summary>
    /// <param name="secrets">Every active secret of the source (several during a rotation), at most 16.</param>
    /// <param name="tolerance">How far the timestamp may be from now, either way. Default 5 minutes.</param>
    /// <param name="time">The clock. Default the system clock.</param>
    /// <exception cref="ArgumentException">No secret, or more than 16.</exception>
    public StandardWebhookVerifier(IEnumerable<WebhookSecret> secrets, TimeSpan? tolerance = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        _secrets = secrets.ToArray();
        if (_secrets.Length is 0 or > MaxSecrets)
        {
            throw new ArgumentException($"A source needs 1 to {MaxSecrets} secrets.", nameof(secrets));
        }

        _toleranceSeconds = (long)(tolerance ?? DefaultTolerance).TotalSeconds;
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public WebhookVerificationResult Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var id = headers[WebhookHeaders.Id].ToString();
        var timestampText = headers[WebhookHeaders.Timestamp].ToString();
        var signatures = headers[WebhookHeaders.Signature].ToString();
        if (id.Length == 0 || timestampText.Length == 0 || signatures.Length == 0)
        {
            return WebhookVerificationResult.Fail(WebhookVerificationFailure.MissingHeader,
                $"The {WebhookHeaders.Id}, {WebhookHeaders.Timestamp} and {WebhookHeaders.Signature} headers are required.");
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

        Span<byte> expected = stackalloc byte[32 * MaxSecrets];
        for (var i = 0; i < _secrets.Length; i++)
        {
            StandardWebhookSigner.Compute(_secrets[i].Key.Span, id, timestamp, body, expected.Slice(i * 32, 32));
        }

        Span<byte> candidate = stackalloc byte[33];
        var remaining = signatures.AsSpan();
        while (!remaining.IsEmpty)
        {
            var space = remaining.IndexOf(' ');
            var entry = space < 0 ? remaining : remaining[..space];
            remaining = space < 0 ? default : remaining[(space + 1)..];
            if (!entry.StartsWith("v1,", StringComparison.Ordinal)
                || !Convert.TryFromBase64Chars(entry[3..], candidate, out var written)
                || written != 32)
            {
                continue; // another version, or malformed: look at the next one
            }

            for (var i = 0; i < _secrets.Length; i++)
            {
                if (CryptographicOperations.FixedTimeEquals(candidate[..32], expected.Slice(i * 32, 32)))
                {
                    return WebhookVerificationResult.Valid(id, DateTimeOffset.FromUnixTimeSeconds(timestamp));
                }
            }
        }

        return WebhookVerificationResult.Fail(WebhookVerificationFailure.NoValidSignature, "No v1 signature matches a secret of this source.");
    }
}
