using Microsoft.Extensions.Options;

namespace Commerce.FlashSale.Internal;

/// <summary>The attribute rules of <see cref="FlashSaleOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class FlashSaleOptionsValidator : IValidateOptions<FlashSaleOptions>
{
}

/// <summary>Rules across settings of <see cref="FlashSaleOptions"/>.</summary>
internal sealed class FlashSaleOptionsConsistencyValidator(FlashSaleRedisRegistration? redis = null, FlashSalePostgresRegistration? postgres = null)
    : IValidateOptions<FlashSaleOptions>
{
    public ValidateOptionsResult Validate(string? name, FlashSaleOptions options)
    {
        var failures = new List<string>();
        if (redis is null && string.IsNullOrWhiteSpace(options.RedisConfiguration))
        {
            failures.Add($"{nameof(FlashSaleOptions.RedisConfiguration)} is required (or call WithRedis).");
        }

        if (postgres is null && string.IsNullOrWhiteSpace(options.PostgresConnectionString))
        {
            failures.Add($"{nameof(FlashSaleOptions.PostgresConnectionString)} is required (or call WithPostgres).");
        }

        if (options.RateLimitPermits > 0 && options.RateLimitPeriod.TotalMilliseconds / options.RateLimitPermits < 1)
        {
            failures.Add($"{nameof(FlashSaleOptions.RateLimitPeriod)} divided by {nameof(FlashSaleOptions.RateLimitPermits)} must be at least 1 ms.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
