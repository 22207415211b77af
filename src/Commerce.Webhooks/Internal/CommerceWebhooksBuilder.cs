using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Webhooks.Internal;

internal sealed class CommerceWebhooksBuilder(IServiceCollection services) : ICommerceWebhooksBuilder
{
    public IServiceCollection Services { get; } = services;
}
