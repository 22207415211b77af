using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Commerce.Webhooks.Tests;

/// <summary>Changes the process-wide default proxy, so it runs alone.</summary>
[CollectionDefinition(nameof(NoProxyTests), DisableParallelization = true)]
public sealed class NoProxyRunsAlone;

/// <summary>
/// A proxy taken from the environment would be what the destination check sees, and it would connect anywhere: the
/// sender must never use one.
/// </summary>
[Collection(nameof(NoProxyTests))]
public sealed class NoProxyTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly WebhookSecret Secret = WebhookSecret.Generate();

    [IntegrationFact(TestServer.Postgres)]
    public async Task EnvironmentProxy_IsNeverUsed_TheEndpointIsCalledDirectly()
    {
        using var proxy = new TcpListener(IPAddress.Loopback, 0);
        proxy.Start();
        var proxied = 0;
        var accepting = Task.Run(async () =>
        {
            while (true)
            {
                using var client = await proxy.AcceptTcpClientAsync();
                Interlocked.Increment(ref proxied);
                var stream = client.GetStream();
                _ = await stream.ReadAsync(new byte[8192]); // the request line is enough: any byte here is a proxied delivery
                await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
            }
        });
        await using var endpoint = await FlakyEndpoint.StartAsync(Secret);
        var previous = HttpClient.DefaultProxy;
        HttpClient.DefaultProxy = new WebProxy($"http://127.0.0.1:{((IPEndPoint)proxy.LocalEndpoint).Port}") { BypassProxyOnLocal = false };
        try
        {
            var (services, sender) = await SenderHarness.StartAsync(postgres, TestNames.Unique(), TimeProvider.System);
            await using var _ = services;
            var target = await sender.AddEndpointAsync(endpoint.App.Address, [Secret]);
            var sent = await sender.SendAsync(target.Id, "t", new { });

            await sender.DispatchDueAsync();

            Assert.Equal(OutgoingWebhookStatus.Delivered, (await sender.GetAsync(sent.Id))!.Status);
            Assert.Single(endpoint.Received);
            Assert.Equal(0, Volatile.Read(ref proxied));
        }
        finally
        {
            HttpClient.DefaultProxy = previous;
            proxy.Stop();
            await Assert.ThrowsAnyAsync<Exception>(() => accepting);
        }
    }
}
