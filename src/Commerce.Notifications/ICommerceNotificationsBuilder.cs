using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Notifications;

/// <summary>Returned by <c>AddCommerceNotifications</c> so configuration chains.</summary>
public interface ICommerceNotificationsBuilder
{
    /// <summary>The service collection.</summary>
    IServiceCollection Services { get; }
}
