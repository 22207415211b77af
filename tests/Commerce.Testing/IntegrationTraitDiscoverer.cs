using Xunit.Abstractions;
using Xunit.Sdk;

namespace Commerce.Testing;

/// <summary>Gives integration facts the trait <c>Category=Integration</c>, so <c>--filter Category!=Integration</c> runs unit tests only.</summary>
public sealed class IntegrationTraitDiscoverer : ITraitDiscoverer
{
    /// <inheritdoc />
    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute)
    {
        yield return new KeyValuePair<string, string>("Category", "Integration");
    }
}
