using Microsoft.Extensions.Options;

namespace Commerce.Notifications.Internal;

/// <summary>The attribute rules of <see cref="NotificationsOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class NotificationsOptionsValidator : IValidateOptions<NotificationsOptions>
{
}

/// <summary>Rules across settings of <see cref="NotificationsOptions"/>.</summary>
internal sealed class NotificationsOptionsConsistencyValidator(NotificationsRedisRegistration? redis = null, NotificationsPostgresRegistration? postgres = null)
    : IValidateOptions<NotificationsOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationsOptions options)
    {
        var failures = new List<string>();
        if (redis is null && string.IsNullOrWhiteSpace(options.RedisConfiguration))
        {
            failures.Add($"{nameof(NotificationsOptions.RedisConfiguration)} is required (or call WithRedis).");
        }

        if (postgres is null && string.IsNullOrWhiteSpace(options.PostgresConnectionString))
        {
            failures.Add($"{nameof(NotificationsOptions.PostgresConnectionString)} is required (or call WithPostgres).");
        }

        if (options.ChannelMaxRetryDelay < options.ChannelRetryDelay)
        {
            failures.Add($"{nameof(NotificationsOptions.ChannelMaxRetryDelay)} must be at least {nameof(NotificationsOptions.ChannelRetryDelay)}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The attribute rules of <see cref="SmtpEmailOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class SmtpEmailOptionsValidator : IValidateOptions<SmtpEmailOptions>
{
}

/// <summary>Rules across the SMTP settings: credentials need TLS.</summary>
internal sealed class SmtpEmailOptionsConsistencyValidator : IValidateOptions<SmtpEmailOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpEmailOptions options) =>
        !string.IsNullOrEmpty(options.UserName) && options.Security == SmtpSecurity.None
            ? ValidateOptionsResult.Fail($"{nameof(SmtpEmailOptions.Security)} None sends the credentials of {nameof(SmtpEmailOptions.UserName)} unencrypted; use Auto, StartTls or SslOnConnect.")
            : ValidateOptionsResult.Success;
}
