using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Webhooks;

/// <summary>Returned by <c>AddCommerceWebhooks</c> so configuration chains.</summary>
public interface ICommerceWebhooksBuilder
{
    /// <summary>The service collection.</summary>
    IServiceCollection Services { get; }
}
