using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using NSec.Cryptography;

namespace Commerce.Webhooks.Tests;

/// <summary>
/// Verification accepts what real Standard Webhooks senders put on the wire: Svix's header names, signatures spread over
/// several header lines, Ed25519 (<c>v1a</c>) signatures, with the specification's own vectors; and fails closed.
/// </summary>
public sealed class SenderCompatibilityTests
{
    // The specification's vectors (its libraries' tests: "sign function works", asymmetric "sign").
    private const string SpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SpecMessageId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long SpecTimestamp = 1614265330;
    private const string SpecPayload = "{\"test\": 2432232314}";
    private const string SpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    private const string SpecSigningSeed = "VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=";
    private const string SpecEd25519Signature = "v1a,tQ9V2XOqn7jL/DQenEFpqIugdBVtiMmER5mhSkXBNwM0mkATuDe6KYYUuxqtaiHeYGb7KaaBRdM5WqyeFiL8Ag==";

    private static readonly byte[] Body = Encoding.UTF8.GetBytes(SpecPayload);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(SpecTimestamp));

    private StandardWebhookVerifier Verifier() => new([WebhookSecret.Parse(SpecSecret)], time: _time);

    /// <summary>The public key of the specification's signing seed, in Standard Webhooks form.</summary>
    internal static string SpecPublicKey()
    {
        using var key = Key.Import(SignatureAlgorithm.Ed25519, Convert.FromBase64String(SpecSigningSeed), KeyBlobFormat.RawPrivateKey);
        return WebhookPublicKey.Prefix + Convert.ToBase64String(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    [Fact]
    public void SvixSender_WithSvixHeaderNames_IsValid()
    {
        var headers = new HeaderDictionary
        {
            [WebhookHeaders.SvixId] = SpecMessageId,
            [WebhookHeaders.SvixTimestamp] = "1614265330",
            [WebhookHeaders.SvixSignature] = SpecSignature,
        };

        var result = Verifier().Verify(headers, Body);

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(SpecMessageId, result.MessageId);
    }

    [Fact]
    public void SvixSender_TamperedBody_IsStillRejected()
    {
        var headers = new HeaderDictionary
        {
            [WebhookHeaders.SvixId] = SpecMessageId,
            [WebhookHeaders.SvixTimestamp] = "1614265330",
            [WebhookHeaders.SvixSignature] = SpecSignature,
        };

        Assert.Equal(WebhookVerificationFailure.NoValidSignature, Verifier().Verify(headers, "{\"test\": 2432232315}"u8).Failure);
    }

    [Fact]
    public void SignatureHeader_SentAsSeveralLines_IsOneSpaceSeparatedList()
    {
        var headers = new HeaderDictionary
        {
            [WebhookHeaders.Id] = SpecMessageId,
            [WebhookHeaders.Timestamp] = "1614265330",
            [WebhookHeaders.Signature] = new StringValues(["v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,abc", SpecSignature]),
        };

        var result = Verifier().Verify(headers, Body);

        Assert.True(result.IsValid, result.Detail);
    }

    [Fact]
    public void DefaultVerificationResult_IsNotValid_FailClosed()
    {
        var unset = default(WebhookVerificationResult);
        var handMade = new WebhookVerificationResult { MessageId = "msg_1" };

        Assert.False(unset.IsValid);
        Assert.NotEqual(WebhookVerificationFailure.None, unset.Failure);
        Assert.False(handMade.IsValid);
        Assert.True(WebhookVerificationResult.Valid("msg_1", null).IsValid);
    }

    [Fact]
    public void FailedResult_CannotBeMadeWithFailureNone()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WebhookVerificationResult.Fail(WebhookVerificationFailure.None, "not a failure"));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(23)]
    [InlineData(65)]
    public void Secret_OutsideTheSpecificationsLength_IsRefused(int bytes)
    {
        var secret = WebhookSecret.Prefix + Convert.ToBase64String(new byte[bytes]);

        var error = Assert.Throws<ArgumentException>(() => WebhookSecret.Parse(secret));
        Assert.Contains("24", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StandardVerifier_RefusesAShortPlainTextSecret()
    {
        Assert.Throws<ArgumentException>(() => new StandardWebhookVerifier([WebhookSecret.FromText("short")]));
    }

    [Fact]
    public void Ed25519_SpecificationVector_IsValid_WithThePublicKey()
    {
        var verifier = new StandardWebhookVerifier([], [WebhookPublicKey.Parse(SpecPublicKey())], time: _time);
        var headers = new HeaderDictionary
        {
            [WebhookHeaders.Id] = SpecMessageId,
            [WebhookHeaders.Timestamp] = "1614265330",
            [WebhookHeaders.Signature] = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= " + SpecEd25519Signature,
        };

        var result = verifier.Verify(headers, Body);

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(WebhookVerificationFailure.NoValidSignature, verifier.Verify(headers, "{\"test\": 2432232315}"u8).Failure);
    }

    [Fact]
    public void Ed25519Signature_WithoutAConfiguredPublicKey_IsNotAccepted()
    {
        var headers = new HeaderDictionary
        {
            [WebhookHeaders.Id] = SpecMessageId,
            [WebhookHeaders.Timestamp] = "1614265330",
            [WebhookHeaders.Signature] = SpecEd25519Signature,
        };

        Assert.Equal(WebhookVerificationFailure.NoValidSignature, Verifier().Verify(headers, Body).Failure);
    }

    [Theory]
    [InlineData("v1a,")]
    [InlineData("v1a,tQ9V2XOqn7jL")]
    [InlineData("v1a,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=")]
    public void Ed25519_MalformedEntries_AreRejected(string signature)
    {
        var verifier = new StandardWebhookVerifier([], [WebhookPublicKey.Parse(SpecPublicKey())], time: _time);
        var headers = new HeaderDictionary
        {
            [WebhookHeaders.Id] = SpecMessageId,
            [WebhookHeaders.Timestamp] = "1614265330",
            [WebhookHeaders.Signature] = signature,
        };

        Assert.Equal(WebhookVerificationFailure.NoValidSignature, verifier.Verify(headers, Body).Failure);
    }

    [Theory]
    [InlineData("")]
    [InlineData("whpk_")]
    [InlineData("whpk_AAAA")]
    [InlineData("whpk_not*base64")]
    public void PublicKey_Malformed_IsRefused(string key)
    {
        Assert.ThrowsAny<ArgumentException>(() => WebhookPublicKey.Parse(key));
    }
}
