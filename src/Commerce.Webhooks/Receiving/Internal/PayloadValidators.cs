using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Webhooks.Internal;

/// <summary>A payload validator registered with <c>AddPayloadValidator</c>, for a type (<c>*</c>: all) and a source (null: all).</summary>
internal sealed record PayloadValidatorRegistration(string Type, string? Source, Type ValidatorType);

/// <summary>Runs the payload validators that apply to a message and merges what they find.</summary>
internal sealed class PayloadValidators(IEnumerable<PayloadValidatorRegistration> registrations, IServiceProvider services)
{
    private readonly PayloadValidatorRegistration[] _registrations = [.. registrations];

    public bool Any => _registrations.Length > 0;

    /// <summary>The problems by field, or null when every validator that applies accepts the message.</summary>
    public IReadOnlyDictionary<string, string[]>? Validate(WebhookMessage message)
    {
        Dictionary<string, string[]>? all = null;
        foreach (var registration in _registrations)
        {
            if ((registration.Type != "*" && registration.Type != message.Type) || (registration.Source is not null && registration.Source != message.Source))
            {
                continue;
            }

            var validator = (IWebhookPayloadValidator)services.GetRequiredService(registration.ValidatorType);
            IReadOnlyDictionary<string, string[]>? errors;
            try
            {
                errors = validator.Validate(message);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
            {
                // A validator that can't even read the payload: the payload is what is wrong, not the server.
                errors = new Dictionary<string, string[]> { ["body"] = [$"The payload can't be read: {e.Message}"] };
            }

            if (errors is not { Count: > 0 })
            {
                continue;
            }

            all ??= new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var (field, problems) in errors)
            {
                all[field] = all.TryGetValue(field, out var before) ? [.. before, .. problems] : problems;
            }
        }

        return all;
    }
}
