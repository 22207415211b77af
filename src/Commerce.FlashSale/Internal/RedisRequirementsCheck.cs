using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// Checks at start what the sale data needs from Redis: <c>maxmemory-policy noeviction</c>, since an evicted key of a
/// sale loses holds (and would need a rebuild). Warns, naming the setting, when a server evicts; says so when the
/// server does not let it ask (CONFIG disabled, as on some managed services).
/// </summary>
internal sealed class RedisRequirementsCheck(FlashSaleConnections connections, ILogger logger)
{
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        IConnectionMultiplexer multiplexer;
        try
        {
            multiplexer = (await connections.RedisAsync().ConfigureAwait(false)).Multiplexer;
        }
        catch (Exception e) when (e is RedisException or TimeoutException or InvalidOperationException)
        {
            return; // Redis is not there yet: every call says so
        }

        foreach (var endpoint in multiplexer.GetEndPoints())
        {
            var server = multiplexer.GetServer(endpoint);
            if (server.IsReplica)
            {
                continue;
            }

            try
            {
                var config = await server.ConfigGetAsync("maxmemory-policy").WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
                var policy = config.FirstOrDefault().Value;
                if (policy is not null && !string.Equals(policy, "noeviction", StringComparison.OrdinalIgnoreCase))
                {
                    Log.RedisEvicts(logger, endpoint.ToString() ?? "?", policy);
                }
            }
            catch (Exception e) when (e is RedisException or RedisCommandException or TimeoutException)
            {
                Log.RedisPolicyUnknown(logger, endpoint.ToString() ?? "?", e.Message);
            }
        }
    }
}
