using System.Net;
using System.Text;
using Commerce.Webhooks.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Commerce.Webhooks.Tests;

/// <summary>Signing and verification, including the known answers published by the Standard Webhooks specification.</summary>
public sealed class SignatureTests
{
    // The specification's example (libraries/javascript/src/webhook.test.ts, "sign function works").
    private const string SpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SpecMessageId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long SpecTimestamp = 1614265330;
    private const string SpecPayload = "{\"test\": 2432232314}";
    private const string SpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static readonly byte[] Body = Encoding.UTF8.GetBytes(SpecPayload);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(SpecTimestamp));

    private static HeaderDictionary Headers(string? id = SpecMessageId, string? timestamp = "1614265330", string? signature = SpecSignature)
    {
        var headers = new HeaderDictionary();
        if (id is not null)
        {
            headers[WebhookHeaders.Id] = id;
        }

        if (timestamp is not null)
        {
            headers[WebhookHeaders.Timestamp] = timestamp;
        }

        if (signature is not null)
        {
            headers[WebhookHeaders.Signature] = signature;
        }

        return headers;
    }

    private StandardWebhookVerifier Verifier(params string[] secrets) =>
        new(secrets.Select(WebhookSecret.Parse), time: _time);

    [Fact]
    public void Sign_SpecificationExample_GivesThePublishedSignature()
    {
        var signature = StandardWebhookSigner.Sign(SpecMessageId, DateTimeOffset.FromUnixTimeSeconds(SpecTimestamp), Body, WebhookSecret.Parse(SpecSecret));

        Assert.Equal(SpecSignature, signature);
    }

    [Theory]
    [InlineData(SpecSecret)]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    public void Verify_SpecificationExample_IsValid_WithOrWithoutThePrefix(string secret)
    {
        var result = Verifier(secret).Verify(Headers(), Body);

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(SpecMessageId, result.MessageId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(SpecTimestamp), result.Timestamp);
    }

    [Fact]
    public void Verify_TamperedBody_IsRejected()
    {
        var tampered = Encoding.UTF8.GetBytes("{\"test\": 2432232315}");

        Assert.Equal(WebhookVerificationFailure.NoValidSignature, Verifier(SpecSecret).Verify(Headers(), tampered).Failure);
    }

    [Fact]
    public void Verify_WrongSecret_IsRejected()
    {
        var other = WebhookSecret.Generate().Export();

        Assert.Equal(WebhookVerificationFailure.NoValidSignature, Verifier(other).Verify(Headers(), Body).Failure);
    }

    [Fact]
    public void Verify_TamperedIdOrTimestamp_IsRejected()
    {
        Assert.Equal(WebhookVerificationFailure.NoValidSignature, Verifier(SpecSecret).Verify(Headers(id: "msg_other"), Body).Failure);
        Assert.Equal(WebhookVerificationFailure.NoValidSignature, Verifier(SpecSecret).Verify(Headers(timestamp: "1614265331"), Body).Failure);
    }

    [Theory]
    [InlineData(-301, WebhookVerificationFailure.TimestampTooOld)]
    [InlineData(-300, WebhookVerificationFailure.None)]
    [InlineData(300, WebhookVerificationFailure.None)]
    [InlineData(301, WebhookVerificationFailure.TimestampInFuture)]
    public void Verify_TimestampTolerance_IsFiveMinutesBothWays(int offsetSeconds, WebhookVerificationFailure expected)
    {
        // "now" is offsetSeconds before the signing time (negative: after it, so the message is old)
        var now = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(SpecTimestamp - offsetSeconds));
        var verifier = new StandardWebhookVerifier([WebhookSecret.Parse(SpecSecret)], time: now);

        Assert.Equal(expected, verifier.Verify(Headers(), Body).Failure);
    }

    [Fact]
    public void Verify_CustomTolerance_IsHonoured()
    {
        _time.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(SpecTimestamp + 60));
        var strict = new StandardWebhookVerifier([WebhookSecret.Parse(SpecSecret)], TimeSpan.FromSeconds(30), _time);

        Assert.Equal(WebhookVerificationFailure.TimestampTooOld, strict.Verify(Headers(), Body).Failure);
    }

    [Theory]
    [InlineData(null, "1614265330", SpecSignature)]
    [InlineData(SpecMessageId, null, SpecSignature)]
    [InlineData(SpecMessageId, "1614265330", null)]
    [InlineData("", "1614265330", SpecSignature)]
    public void Verify_MissingHeader_IsRejected(string? id, string? timestamp, string? signature)
    {
        Assert.Equal(WebhookVerificationFailure.MissingHeader, Verifier(SpecSecret).Verify(Headers(id, timestamp, signature), Body).Failure);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("-1614265330")]
    [InlineData("1614265330.5")]
    public void Verify_MalformedTimestamp_IsRejected(string timestamp)
    {
        Assert.Equal(WebhookVerificationFailure.MalformedTimestamp, Verifier(SpecSecret).Verify(Headers(timestamp: timestamp), Body).Failure);
    }

    [Fact]
    public void Verify_ValidSignatureLastAmongSeveral_IsValid()
    {
        // As the specification's "multi sig payload is valid" test, plus malformed entries before the valid one.
        var header = string.Join(' ',
            "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
            "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
            "v1,",
            "v1,not-base64!!",
            "v1,dawfeoifkpqwoekfpqoekf",
            "v1a,ed25519-signature",
            "garbage",
            SpecSignature);

        Assert.True(Verifier(SpecSecret).Verify(Headers(signature: header), Body).IsValid);
    }

    [Theory]
    [InlineData("v1,dawfeoifkpqwoekfpqoekf")]
    [InlineData("v1,")]
    [InlineData("v1,g0hM9SsE")]
    [InlineData("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    public void Verify_OnlyInvalidOrUnknownEntries_IsRejected(string signature)
    {
        Assert.Equal(WebhookVerificationFailure.NoValidSignature, Verifier(SpecSecret).Verify(Headers(signature: signature), Body).Failure);
    }

    [Fact]
    public void Rotation_SenderSignsWithEverySecret_ReceiversWithEitherAccept()
    {
        var oldSecret = WebhookSecret.Generate();
        var newSecret = WebhookSecret.Generate();
        var signed = StandardWebhookSigner.Sign("msg_1", _time.GetUtcNow(), Body, [oldSecret, newSecret]);
        var headers = Headers("msg_1", SpecTimestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), signed);

        Assert.Equal(2, signed.Split(' ').Length);
        Assert.True(new StandardWebhookVerifier([oldSecret], time: _time).Verify(headers, Body).IsValid);
        Assert.True(new StandardWebhookVerifier([newSecret], time: _time).Verify(headers, Body).IsValid);
        Assert.True(new StandardWebhookVerifier([WebhookSecret.Generate(), newSecret], time: _time).Verify(headers, Body).IsValid);
        Assert.False(new StandardWebhookVerifier([WebhookSecret.Generate()], time: _time).Verify(headers, Body).IsValid);
    }

    [Theory]
    [InlineData("")]
    [InlineData("whsec_")]
    [InlineData("whsec_not*base64")]
    public void Secret_Malformed_IsRejected(string secret)
    {
        Assert.ThrowsAny<ArgumentException>(() => WebhookSecret.Parse(secret));
    }

    [Fact]
    public void Secret_ExportRoundTrips_AndToStringHidesIt()
    {
        var secret = WebhookSecret.Generate();

        Assert.Equal(secret.Key.ToArray(), WebhookSecret.Parse(secret.Export()).Key.ToArray());
        Assert.Equal("whsec_***", secret.ToString());
    }

    [Fact]
    public void GitHub_DocumentedExample_IsValid_AndTamperingIsNot()
    {
        // GitHub's documentation example: secret "It's a Secret to Everybody", payload "Hello, World!".
        var verifier = new GitHubWebhookVerifier([WebhookSecret.FromText("It's a Secret to Everybody")]);
        var headers = new HeaderDictionary
        {
            [WebhookHeaders.GitHubSignature] = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            [WebhookHeaders.GitHubDelivery] = "72d3162e-cc78-11e3-81ab-4c9367dc0958",
            [WebhookHeaders.GitHubEvent] = "push",
        };

        var valid = verifier.Verify(headers, "Hello, World!"u8);
        Assert.True(valid.IsValid, valid.Detail);
        Assert.Equal(("72d3162e-cc78-11e3-81ab-4c9367dc0958", "push"), (valid.MessageId, valid.EventType));
        Assert.Equal(WebhookVerificationFailure.NoValidSignature, verifier.Verify(headers, "Hello, World?"u8).Failure);
        headers.Remove(WebhookHeaders.GitHubDelivery);
        Assert.Equal(WebhookVerificationFailure.MissingHeader, verifier.Verify(headers, "Hello, World!"u8).Failure);
    }

    [Fact]
    public void Shopify_KnownAnswer_IsValid_AndTamperingIsNot()
    {
        // Expected value computed independently with Python's hmac module.
        var verifier = new ShopifyWebhookVerifier([WebhookSecret.FromText("shpss_test_secret")]);
        var body = "{\"id\":820982911946154508,\"email\":\"jon@doe.ca\"}"u8.ToArray();
        var headers = new HeaderDictionary
        {
            [WebhookHeaders.ShopifySignature] = "ydL79GgFis+45WlpB77OS7dfcX+8t6iObguHVHAAEPc=",
            [WebhookHeaders.ShopifyWebhookId] = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
            [WebhookHeaders.ShopifyTopic] = "orders/create",
            [WebhookHeaders.ShopifyTriggeredAt] = "2026-11-22T10:00:00Z",
        };

        var valid = verifier.Verify(headers, body);
        Assert.True(valid.IsValid, valid.Detail);
        Assert.Equal("orders/create", valid.EventType);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero), valid.Timestamp);
        body[^2] = (byte)'x';
        Assert.Equal(WebhookVerificationFailure.NoValidSignature, verifier.Verify(headers, body).Failure);
    }

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)] // cloud metadata
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("198.18.0.1", false)]            // benchmarking
    [InlineData("198.19.255.254", false)]
    [InlineData("192.0.2.10", false)]            // documentation
    [InlineData("198.51.100.10", false)]
    [InlineData("203.0.113.10", false)]
    [InlineData("240.0.0.1", false)]             // reserved
    [InlineData("64:ff9b::7f00:1", false)]       // NAT64 of 127.0.0.1
    [InlineData("64:ff9b::a9fe:a9fe", false)]    // NAT64 of the metadata address
    [InlineData("::7f00:1", false)]              // IPv4-compatible 127.0.0.1
    [InlineData("::a00:1", false)]               // IPv4-compatible 10.0.0.1
    [InlineData("2001:db8::1", false)]           // documentation
    [InlineData("2002:7f00:1::1", false)]        // 6to4 of 127.0.0.1
    [InlineData("2001:0:4136:e378::1", false)]   // Teredo
    [InlineData("::ffff:8.8.8.8", true)]         // mapped public
    [InlineData("172.32.0.1", true)]
    [InlineData("8.8.8.8", true)]
    [InlineData("2001:4860:4860::8888", true)]
    public void DestinationGuard_KnowsInternalAddresses(string address, bool isPublic)
    {
        Assert.Equal(isPublic, DestinationGuard.IsPublic(IPAddress.Parse(address)));
    }
}
