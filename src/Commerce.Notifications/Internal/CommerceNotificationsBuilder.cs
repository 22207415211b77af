using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Notifications.Internal;

/// <summary>The builder <c>AddCommerceNotifications</c> returns.</summary>
internal sealed class CommerceNotificationsBuilder(IServiceCollection services) : ICommerceNotificationsBuilder
{
    public IServiceCollection Services { get; } = services;
}
