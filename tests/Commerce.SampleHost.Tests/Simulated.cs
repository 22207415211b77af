using Commerce.StoreSimulator;
using Commerce.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Commerce.SampleHost.Tests;

/// <summary>The store simulator's parts, running in the test against a host instance.</summary>
public sealed class Simulated : IAsyncDisposable
{
    private readonly IHost _host;

    private Simulated(IHost host, StoreModel model, Storefront storefront)
    {
        _host = host;
        Model = model;
        Storefront = storefront;
    }

    public StoreModel Model { get; }

    public Storefront Storefront { get; }

    public IWebhookSender Sender => _host.Services.GetRequiredService<IWebhookSender>();

    public static async Task<Simulated> StartAsync(string postgres, Uri host, string shopId, int seed)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddCommerceWebhooks(o =>
        {
            o.Schema = "store_simulator";
            o.RunInboxProcessor = false;
            o.Sender.AllowPrivateNetworks = true;
            o.Sender.PollInterval = TimeSpan.FromMilliseconds(100);
            o.Sender.MaxConcurrencyPerEndpoint = 8;   // deliveries overtake each other: the host must not care
        }).WithPostgres(postgres);
        var app = builder.Build();
        await app.StartAsync();
        var model = new StoreModel(shopId, seed);
        var storefront = new Storefront(app.Services.GetRequiredService<IWebhookSender>(), model);
        await storefront.ConnectAsync(new Uri(host, "api/webhooks/"), HostInstance.Secret);
        return new Simulated(app, model, storefront);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
