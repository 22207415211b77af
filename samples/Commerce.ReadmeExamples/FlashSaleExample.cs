// src/Commerce.FlashSale/README.md, "Usage" and "Rate limiting in ASP.NET Core's middleware".
using Commerce.FlashSale;

namespace Commerce.ReadmeExamples;

public static class FlashSaleRegistration
{
    public static void Register(WebApplicationBuilder builder)
    {
        builder.Services.AddCommerceFlashSale(builder.Configuration.GetSection("Commerce:FlashSale"))
            .WithRedis(builder.Configuration.GetConnectionString("Redis")!)
            .WithPostgres(builder.Configuration.GetConnectionString("Postgres")!)
            .AddEventSubscriber<ReservationNotifier>()    // optional: reserved / confirmed / released / expired
            .AddLifecycleSubscriber<SaleRoom>();          // optional: started / ended / cancelled / sold out / units back

        builder.Services.AddRateLimiter(o => o.AddPolicy("reserve", context =>
        {
            var limiters = context.RequestServices.GetRequiredService<FlashSaleRateLimiterFactory>();
            var sale = Guid.Parse((string)context.GetRouteValue("id")!);
            var user = context.User.FindFirst("sub")!.Value;
            return limiters.Partition($"{sale}:{user}", sale, user);
        }));
    }
}

public sealed class ReservationNotifier : IFlashSaleEventSubscriber
{
    public ValueTask HandleAsync(FlashSaleEvent saleEvent, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

public sealed class SaleRoom : IFlashSaleLifecycleSubscriber
{
    public ValueTask HandleAsync(FlashSaleLifecycleEvent lifecycleEvent, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

public sealed class Checkout(IFlashSaleService sales)
{
    public Task<FlashSaleSnapshot> OpenAsync(string shopId) => sales.CreateSaleAsync(new FlashSaleDefinition
    {
        Id = Guid.NewGuid(),                       // pass an id to make creation idempotent
        ShopId = shopId,
        Name = "Midnight sale",
        StartsAt = DateTimeOffset.UtcNow.AddMinutes(10),
        EndsAt = DateTimeOffset.UtcNow.AddHours(1),
        Items = [new FlashSaleItemDefinition("sku-42", Stock: 100, Price: 9.99m, PerUserLimit: 2)],
    });

    public async Task<string> BuyAsync(Guid saleId, string userId, string idempotencyKey)
    {
        var reserve = await sales.ReserveAsync(new ReserveRequest
        {
            SaleId = saleId,
            ProductId = "sku-42",
            UserId = userId,
            Quantity = 1,
            ReservationId = idempotencyKey,           // a retry answers the same reservation
        });

        return reserve.Outcome switch
        {
            ReserveOutcome.Reserved => $"held until {reserve.Reservation!.ExpiresAt:t}",
            ReserveOutcome.SoldOut => $"sold out ({reserve.Available} left)",
            ReserveOutcome.LimitExceeded => $"limit reached ({reserve.RemainingAllowance} more allowed)",
            ReserveOutcome.SaleNotActive => $"sale is {reserve.SaleStatus}",
            ReserveOutcome.RateLimited => $"slow down, retry in {reserve.RetryAfter!.Value.TotalSeconds:F0} s",
            ReserveOutcome.Recovering => "the sale is being restored after a Redis failure: retry shortly, same key",
            ReserveOutcome.HoldEnded => $"your earlier hold was {reserve.Reservation!.State}",
            _ => reserve.Outcome.ToString(),
        };
    }

    public async Task<bool> PaidAsync(Guid saleId, string reservationId, string userId) =>
        (await sales.ConfirmAsync(saleId, reservationId, userId)).Outcome
            is ReservationOutcome.Confirmed or ReservationOutcome.AlreadyConfirmed;
}
