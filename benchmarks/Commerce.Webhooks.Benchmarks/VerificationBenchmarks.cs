using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;

namespace Commerce.Webhooks.Benchmarks;

/// <summary>
/// Verifying a typical webhook (an order with five lines, about 1.2 KB): Commerce.Webhooks against a typical
/// hand-written verifier (the baseline) and against the bare HMAC over the same bytes (the floor).
/// </summary>
[MemoryDiagnoser]
public class VerificationBenchmarks
{
    private readonly StandardWebhookVerifier _standard;
    private readonly GitHubWebhookVerifier _github;
    private readonly StandardWebhookVerifier _ed25519;
    private readonly HeaderDictionary _ed25519Headers;
    private readonly HeaderDictionary _standardHeaders;
    private readonly HeaderDictionary _githubHeaders;
    private readonly byte[] _body;
    private readonly byte[] _signedContent;
    private readonly WebhookSecret _secret = WebhookSecret.Generate();
    private readonly string _secretText;
    private readonly string _id = "msg_2b9c1e0f4a7d4d5e8f3a6b1c9d0e2f47";
    private readonly long _timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public VerificationBenchmarks()
    {
        var lines = string.Join(",", Enumerable.Range(1, 5).Select(i =>
            $"{{\"productId\":\"sku-{i:0000}\",\"quantity\":{i},\"unitPrice\":{i * 12.5m},\"unitCost\":{i * 7.25m},\"name\":\"Product number {i} with a longer name\"}}"));
        var body = $"{{\"type\":\"orders.created\",\"timestamp\":\"2026-11-22T10:00:00Z\",\"data\":{{\"shopId\":\"shop-42\",\"orderId\":\"ord-000123456\",\"platform\":\"shopee\",\"status\":\"paid\",\"currency\":\"USD\",\"createdAt\":\"2026-11-22T09:59:58Z\",\"updatedAt\":\"2026-11-22T09:59:58Z\",\"customer\":{{\"id\":\"c-77\",\"email\":\"someone@example.com\"}},\"lines\":[{lines}]}}}}";
        _body = Encoding.UTF8.GetBytes(body);
        _secretText = _secret.Export();
        _signedContent = Encoding.UTF8.GetBytes($"{_id}.{_timestamp}.{body}");
        _standard = new StandardWebhookVerifier([_secret]);
        _standardHeaders = new HeaderDictionary
        {
            [WebhookHeaders.Id] = _id,
            [WebhookHeaders.Timestamp] = _timestamp.ToString(CultureInfo.InvariantCulture),
            [WebhookHeaders.Signature] = StandardWebhookSigner.Sign(_id, DateTimeOffset.FromUnixTimeSeconds(_timestamp), _body, _secret),
        };
        var githubSecret = WebhookSecret.FromText("a-github-secret");
        _github = new GitHubWebhookVerifier([githubSecret]);
        _githubHeaders = new HeaderDictionary
        {
            [WebhookHeaders.GitHubSignature] = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(githubSecret.Key.Span, _body)),
            [WebhookHeaders.GitHubDelivery] = "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        };
        using var signingKey = NSec.Cryptography.Key.Create(NSec.Cryptography.SignatureAlgorithm.Ed25519);
        _ed25519 = new StandardWebhookVerifier([], [WebhookPublicKey.Parse(WebhookPublicKey.Prefix + Convert.ToBase64String(signingKey.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey)))]);
        _ed25519Headers = new HeaderDictionary
        {
            [WebhookHeaders.Id] = _id,
            [WebhookHeaders.Timestamp] = _timestamp.ToString(CultureInfo.InvariantCulture),
            [WebhookHeaders.Signature] = "v1a," + Convert.ToBase64String(NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign(signingKey, _signedContent)),
        };
        if (!Naive() || !Standard() || !GitHub() || !Ed25519())
        {
            throw new InvalidOperationException("a verifier rejected the benchmark's valid webhook");
        }
    }

    public int BodyBytes => _body.Length;

    /// <summary>What a hand-written verifier typically does: strings all the way.</summary>
    [Benchmark(Baseline = true)]
    public bool Naive()
    {
        var id = _standardHeaders[WebhookHeaders.Id].ToString();
        var timestamp = _standardHeaders[WebhookHeaders.Timestamp].ToString();
        var body = Encoding.UTF8.GetString(_body);
        using var hmac = new HMACSHA256(Convert.FromBase64String(_secretText["whsec_".Length..]));
        var expected = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
        foreach (var entry in _standardHeaders[WebhookHeaders.Signature].ToString().Split(' '))
        {
            var parts = entry.Split(',');
            if (parts.Length == 2 && parts[0] == "v1" && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(parts[1]), Encoding.UTF8.GetBytes(expected)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The floor: one HMAC-SHA256 over the signed content, already assembled.</summary>
    [Benchmark]
    public byte[] HmacOnly() => HMACSHA256.HashData(_secret.Key.Span, _signedContent);

    [Benchmark]
    public bool Standard() => _standard.Verify(_standardHeaders, _body).IsValid;

    [Benchmark]
    public bool GitHub() => _github.Verify(_githubHeaders, _body).IsValid;

    /// <summary>An asymmetric (<c>v1a</c>) signature: Ed25519 verification costs more than an HMAC by nature.</summary>
    [Benchmark]
    public bool Ed25519() => _ed25519.Verify(_ed25519Headers, _body).IsValid;
}
