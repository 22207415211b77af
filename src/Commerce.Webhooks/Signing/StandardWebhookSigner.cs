using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Commerce.Webhooks;

/// <summary>
/// Standard Webhooks signatures: <c>v1,&lt;base64 HMAC-SHA256 of "{id}.{timestamp}.{body}"&gt;</c> over the exact
/// body bytes, one per secret (space-separated) so receivers can rotate keys.
/// </summary>
public static class StandardWebhookSigner
{
    /// <summary>The signature of one message under one secret.</summary>
    /// <param name="messageId">The <c>webhook-id</c>.</param>
    /// <param name="timestamp">The <c>webhook-timestamp</c> (whole seconds are signed).</param>
    /// <param name="body">The exact body bytes.</param>
    /// <param name="secret">The secret.</param>
    /// <returns><c>v1,&lt;base64&gt;</c>.</returns>
    public static string Sign(string messageId, DateTimeOffset timestamp, ReadOnlySpan<byte> body, WebhookSecret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        Span<byte> mac = stackalloc byte[32];
        Compute(secret.Key.Span, messageId, timestamp.ToUnixTimeSeconds(), body, mac);
        return "v1," + Convert.ToBase64String(mac);
    }

    /// <summary>The <c>webhook-signature</c> header value: one signature per secret, space-separated.</summary>
    /// <param name="messageId">The <c>webhook-id</c>.</param>
    /// <param name="timestamp">The <c>webhook-timestamp</c>.</param>
    /// <param name="body">The exact body bytes.</param>
    /// <param name="secrets">Every active secret of the endpoint.</param>
    /// <returns>The header value.</returns>
    public static string Sign(string messageId, DateTimeOffset timestamp, ReadOnlySpan<byte> body, IEnumerable<WebhookSecret> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var signatures = new List<string>();
        foreach (var secret in secrets)
        {
            signatures.Add(Sign(messageId, timestamp, body, secret));
        }

        return signatures.Count == 0 ? throw new ArgumentException("At least one secret is needed to sign.", nameof(secrets)) : string.Join(' ', signatures);
    }

    /// <summary>HMAC-SHA256 of <c>{id}.{timestamp}.{body}</c> into <paramref name="destination"/> (32 bytes), with no allocation.</summary>
    internal static void Compute(ReadOnlySpan<byte> key, string messageId, long timestamp, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        var rented = RentSignedContent(messageId, timestamp, body, out var length);
        try
        {
            HMACSHA256.HashData(key, rented.AsSpan(0, length), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The signed content <c>{id}.{timestamp}.{body}</c>, in a buffer rented from the shared pool (the caller returns it);
    /// its first <paramref name="length"/> bytes are the content.
    /// </summary>
    internal static byte[] RentSignedContent(string messageId, long timestamp, ReadOnlySpan<byte> body, out int length)
    {
        var idLength = Encoding.UTF8.GetByteCount(messageId);
        var rented = ArrayPool<byte>.Shared.Rent(idLength + 1 + 20 + 1 + body.Length);
        var span = rented.AsSpan();
        var written = Encoding.UTF8.GetBytes(messageId, span);
        span[written++] = (byte)'.';
        Utf8Formatter.TryFormat(timestamp, span[written..], out var digits);
        written += digits;
        span[written++] = (byte)'.';
        body.CopyTo(span[written..]);
        length = written + body.Length;
        return rented;
    }
}
