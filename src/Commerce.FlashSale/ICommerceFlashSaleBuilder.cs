using Microsoft.Extensions.DependencyInjection;

namespace Commerce.FlashSale;

/// <summary>Returned by <c>AddCommerceFlashSale</c> so configuration chains.</summary>
public interface ICommerceFlashSaleBuilder
{
    /// <summary>The service collection.</summary>
    IServiceCollection Services { get; }
}
