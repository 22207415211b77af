using Microsoft.Extensions.Options;

namespace Commerce.Analytics.Internal;

/// <summary>The attribute rules of <see cref="AnalyticsOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class AnalyticsOptionsValidator : IValidateOptions<AnalyticsOptions>
{
}

/// <summary>Rules the attributes can't express.</summary>
internal sealed class AnalyticsOptionsConsistencyValidator(AnalyticsPostgresRegistration? postgres = null) : IValidateOptions<AnalyticsOptions>
{
    public ValidateOptionsResult Validate(string? name, AnalyticsOptions options)
    {
        var failures = new List<string>();
        if (postgres is null && string.IsNullOrWhiteSpace(options.PostgresConnectionString))
        {
            failures.Add($"{nameof(AnalyticsOptions.PostgresConnectionString)} is required (or call WithPostgres).");
        }

        if (AnalyticsValidation.IanaName(options.DefaultTimeZone) is null)
        {
            failures.Add($"{nameof(AnalyticsOptions.DefaultTimeZone)} '{options.DefaultTimeZone}' is not a known IANA time zone (or a Windows id with one).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
