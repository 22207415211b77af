using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>The reply of <c>health.lua</c>: does Redis hold the sale, at which epoch and seq, and is it being recovered.</summary>
internal readonly record struct HealthReply(bool Exists, long Epoch, long Seq, bool Recovering)
{
    public static HealthReply Decode(RedisResult result)
    {
        var p = result.Parts();
        return new HealthReply((long)p[0] == 1, p[1].Long(), p[2].Long(), p[3].Str() == "1");
    }
}
