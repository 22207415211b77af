using Microsoft.Extensions.Options;

namespace Commerce.Webhooks.Internal;

/// <summary>The attribute rules of <see cref="WebhooksOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class WebhooksOptionsValidator : IValidateOptions<WebhooksOptions>
{
}

/// <summary>Rules across settings: sources, secrets and the sender's schedule, each failure naming the setting.</summary>
internal sealed class WebhooksOptionsConsistencyValidator(WebhooksPostgresRegistration? postgres = null, IEnumerable<CustomVerifierRegistration>? custom = null)
    : IValidateOptions<WebhooksOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhooksOptions options)
    {
        var failures = new List<string>();
        if (postgres is null && string.IsNullOrWhiteSpace(options.PostgresConnectionString))
        {
            failures.Add($"{nameof(WebhooksOptions.PostgresConnectionString)} is required (or call WithPostgres).");
        }

        var customSources = (custom ?? []).Select(c => c.Source).ToHashSet(StringComparer.Ordinal);
        foreach (var (source, settings) in options.Sources)
        {
            var prefix = $"{nameof(WebhooksOptions.Sources)}:{source}";
            if (customSources.Contains(source))
            {
                continue;
            }

            if (settings.Secrets.Count == 0 && (settings.Scheme != WebhookScheme.StandardWebhooks || settings.PublicKeys.Count == 0))
            {
                failures.Add($"{prefix}:{nameof(WebhookSourceOptions.Secrets)} needs at least one secret (or, for Standard Webhooks, {nameof(WebhookSourceOptions.PublicKeys)} at least one key).");
            }

            for (var i = 0; i < settings.PublicKeys.Count; i++)
            {
                if (settings.Scheme != WebhookScheme.StandardWebhooks)
                {
                    failures.Add($"{prefix}:{nameof(WebhookSourceOptions.PublicKeys)} are for Standard Webhooks sources only.");
                    break;
                }

                try
                {
                    WebhookPublicKey.Parse(settings.PublicKeys[i]);
                }
                catch (ArgumentException e)
                {
                    failures.Add($"{prefix}:{nameof(WebhookSourceOptions.PublicKeys)}:{i}: {e.Message}");
                }
            }

            for (var i = 0; i < settings.Secrets.Count; i++)
            {
                if (settings.Scheme == WebhookScheme.StandardWebhooks)
                {
                    try
                    {
                        WebhookSecret.Parse(settings.Secrets[i]);
                    }
                    catch (ArgumentException e)
                    {
                        failures.Add($"{prefix}:{nameof(WebhookSourceOptions.Secrets)}:{i}: {e.Message}");
                    }
                }
                else if (string.IsNullOrEmpty(settings.Secrets[i]))
                {
                    failures.Add($"{prefix}:{nameof(WebhookSourceOptions.Secrets)}:{i} is empty.");
                }
            }

            if (settings.Tolerance <= TimeSpan.Zero)
            {
                failures.Add($"{prefix}:{nameof(WebhookSourceOptions.Tolerance)} must be positive.");
            }
        }

        var sender = options.Sender;
        if (sender.RetrySchedule.Count == 0 || sender.RetrySchedule.Any(d => d < TimeSpan.Zero))
        {
            failures.Add("Sender:RetrySchedule needs at least one delay, none negative.");
        }

        if (sender.Jitter is < 0 or > 1)
        {
            failures.Add("Sender:Jitter must be between 0 and 1.");
        }

        if (sender.AttemptTimeout <= TimeSpan.Zero || sender.MaxConcurrencyPerEndpoint < 1 || sender.BatchSize < 1 || sender.PollInterval <= TimeSpan.Zero)
        {
            failures.Add("Sender:AttemptTimeout, MaxConcurrencyPerEndpoint, BatchSize and PollInterval must be positive.");
        }

        if (options.DeduplicationWindow < options.ProcessedBodyRetention)
        {
            failures.Add($"{nameof(WebhooksOptions.DeduplicationWindow)} must be at least {nameof(WebhooksOptions.ProcessedBodyRetention)}.");
        }

        if (options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add($"{nameof(WebhooksOptions.RetryMaxDelay)} must be at least {nameof(WebhooksOptions.RetryBaseDelay)}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
