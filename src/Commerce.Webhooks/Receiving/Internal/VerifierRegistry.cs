using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Commerce.Webhooks.Internal;

/// <summary>A custom verifier registered with <c>AddSource(name, factory)</c>.</summary>
internal sealed record CustomVerifierRegistration(string Source, Func<IServiceProvider, IWebhookVerifier> Create);

/// <summary>The verifier of each configured source, built once.</summary>
internal sealed class VerifierRegistry(IOptions<WebhooksOptions> options, TimeProvider time, IServiceProvider services, IEnumerable<CustomVerifierRegistration> custom)
{
    private readonly ConcurrentDictionary<string, IWebhookVerifier> _verifiers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CustomVerifierRegistration> _custom = custom.ToDictionary(c => c.Source, StringComparer.Ordinal);

    public IWebhookVerifier Get(string source) => _verifiers.GetOrAdd(source, Create);

    private IWebhookVerifier Create(string source)
    {
        if (_custom.TryGetValue(source, out var registration))
        {
            return registration.Create(services);
        }

        if (!options.Value.Sources.TryGetValue(source, out var configured))
        {
            throw new InvalidOperationException($"No webhook source '{source}' is configured (WebhooksOptions.Sources or AddSource).");
        }

        return configured.Scheme switch
        {
            WebhookScheme.GitHub => new GitHubWebhookVerifier(configured.Secrets.Select(WebhookSecret.FromText)),
            WebhookScheme.Shopify => new ShopifyWebhookVerifier(configured.Secrets.Select(WebhookSecret.FromText)),
            _ => new StandardWebhookVerifier(configured.Secrets.Select(WebhookSecret.Parse), configured.PublicKeys.Select(WebhookPublicKey.Parse), configured.Tolerance, time),
        };
    }
}
