using Xunit;
using Xunit.Sdk;

namespace Commerce.Testing;

/// <summary>
/// A fact that needs real servers. It carries the trait <c>Category=Integration</c> and is skipped,
/// with the reason shown, only when the servers are not configured and this is not a CI run.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
[XunitTestCaseDiscoverer("Xunit.Sdk.FactDiscoverer", "xunit.execution.{Platform}")]
[TraitDiscoverer("Commerce.Testing.IntegrationTraitDiscoverer", "Commerce.Testing")]
public sealed class IntegrationFactAttribute : FactAttribute, ITraitAttribute
{
    /// <summary>Creates the attribute for a test needing <paramref name="servers"/>.</summary>
    public IntegrationFactAttribute(TestServer servers)
    {
        Servers = servers;
        var reason = TestEnvironment.SkipReason(servers);
        if (reason is not null)
        {
            Skip = reason;
        }
    }

    /// <summary>The servers the test needs.</summary>
    public TestServer Servers { get; }
}
