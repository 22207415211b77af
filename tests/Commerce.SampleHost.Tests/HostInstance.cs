using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Commerce.SampleHost.Tests;

/// <summary>One instance of the real sample host (its Program), on Kestrel on a free loopback port.</summary>
public sealed class HostInstance : IAsyncDisposable
{
    public const string Secret = "whsec_ZGV2ZWxvcG1lbnQtb25seS13ZWJob29rLXNlY3JldA==";

    private readonly WebApplicationFactory<Commerce.SampleHost.TokenIssuer> _factory;

    private HostInstance(WebApplicationFactory<Commerce.SampleHost.TokenIssuer> factory, Uri address)
    {
        _factory = factory;
        Address = address;
    }

    public Uri Address { get; }

    public IServiceProvider Services => _factory.Services;

    public static Task<HostInstance> StartAsync(string redis, string postgres, string environment = "Development", string signingKey = "development-only-signing-key-change-me-0123456789", string secret = Secret, IReadOnlyDictionary<string, string>? settings = null) => Task.Run(() =>
    {
        var factory = new WebApplicationFactory<Commerce.SampleHost.TokenIssuer>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment(environment);
            b.UseSetting("ConnectionStrings:Redis", redis);
            b.UseSetting("ConnectionStrings:Postgres", postgres);
            b.UseSetting("Commerce:Auth:SigningKey", signingKey);
            b.UseSetting("Commerce:Webhooks:Secrets:0", secret);
            b.UseSetting("Logging:LogLevel:Default", "Warning");
            b.UseSetting("urls", "http://127.0.0.1:0");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                b.UseSetting(key, value);
            }
        });
        factory.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HostInstance(factory, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/"));
    });

    public ValueTask DisposeAsync() => _factory.DisposeAsync();
}
