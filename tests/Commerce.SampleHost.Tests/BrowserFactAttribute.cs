using Commerce.Testing;
using Xunit;
using Xunit.Sdk;

namespace Commerce.SampleHost.Tests;

/// <summary>
/// A test that drives the dashboard in Debian's headless Chromium (<c>/usr/bin/chromium</c>, or
/// <c>COMMERCE_TEST_CHROMIUM</c>) and needs Redis and PostgreSQL. Without Chromium it is skipped with the reason
/// locally, and fails on CI (eng/ci-prerequisites.sh installs it).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
[XunitTestCaseDiscoverer("Xunit.Sdk.FactDiscoverer", "xunit.execution.{Platform}")]
[TraitDiscoverer("Commerce.Testing.IntegrationTraitDiscoverer", "Commerce.Testing")]
public sealed class BrowserFactAttribute : FactAttribute, ITraitAttribute
{
    public static readonly string Chromium = Environment.GetEnvironmentVariable("COMMERCE_TEST_CHROMIUM") ?? "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        Skip = TestEnvironment.SkipReason(TestServer.Redis | TestServer.Postgres)
            ?? (!File.Exists(Chromium) && !TestEnvironment.IsCI ? $"Chromium not found at {Chromium} (apt-get install chromium, or set COMMERCE_TEST_CHROMIUM)." : null);
    }
}
