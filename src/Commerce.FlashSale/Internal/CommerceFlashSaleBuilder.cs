using Microsoft.Extensions.DependencyInjection;

namespace Commerce.FlashSale.Internal;

internal sealed class CommerceFlashSaleBuilder(IServiceCollection services) : ICommerceFlashSaleBuilder
{
    public IServiceCollection Services { get; } = services;
}
