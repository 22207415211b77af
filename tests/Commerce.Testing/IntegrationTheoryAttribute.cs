using Xunit;
using Xunit.Sdk;

namespace Commerce.Testing;

/// <summary>The theory form of <see cref="IntegrationFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
[XunitTestCaseDiscoverer("Xunit.Sdk.TheoryDiscoverer", "xunit.execution.{Platform}")]
[TraitDiscoverer("Commerce.Testing.IntegrationTraitDiscoverer", "Commerce.Testing")]
public sealed class IntegrationTheoryAttribute : TheoryAttribute, ITraitAttribute
{
    /// <summary>Creates the attribute for a theory needing <paramref name="servers"/>.</summary>
    public IntegrationTheoryAttribute(TestServer servers)
    {
        Servers = servers;
        var reason = TestEnvironment.SkipReason(servers);
        if (reason is not null)
        {
            Skip = reason;
        }
    }

    /// <summary>The servers the theory needs.</summary>
    public TestServer Servers { get; }
}
