using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Commerce.Caching.Internal;

/// <summary>Rules across properties of <see cref="CommerceCacheOptions"/>, each failure naming the setting.</summary>
internal sealed class CommerceCacheOptionsConsistencyValidator : IValidateOptions<CommerceCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, CommerceCacheOptions options)
    {
        var failures = new List<string>();
        if (options.HeartbeatTimeout < options.HeartbeatInterval)
        {
            failures.Add($"{nameof(CommerceCacheOptions.HeartbeatTimeout)} ({options.HeartbeatTimeout}) must be at least {nameof(CommerceCacheOptions.HeartbeatInterval)} ({options.HeartbeatInterval}).");
        }

        if (options.DefaultLocalDuration is { } local && local <= TimeSpan.Zero)
        {
            failures.Add($"{nameof(CommerceCacheOptions.DefaultLocalDuration)} must be positive when set.");
        }

        if (options.RedisConfiguration is { } configuration)
        {
            try
            {
                if (ConfigurationOptions.Parse(configuration).EndPoints.Count == 0)
                {
                    failures.Add($"{nameof(CommerceCacheOptions.RedisConfiguration)} names no endpoint.");
                }
            }
            catch (ArgumentException e)
            {
                failures.Add($"{nameof(CommerceCacheOptions.RedisConfiguration)} is not a valid StackExchange.Redis configuration: {e.Message}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
