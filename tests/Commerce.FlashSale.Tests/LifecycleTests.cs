using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Commerce.FlashSale.Tests;

/// <summary>Reservation states, idempotency, sale windows and the sale lifecycle. The sale clock is a FakeTimeProvider.</summary>
public sealed class LifecycleTests(RedisFixture redis, PostgresFixture postgres) : IClassFixture<RedisFixture>, IClassFixture<PostgresFixture>
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero));

    private Task<SaleHarness> InstanceAsync(Action<FlashSaleOptions>? configure = null) =>
        SaleHarness.CreateAsync(redis.ConnectionString, postgres.ConnectionString, TestNames.Unique(), o =>
        {
            o.Clock = FlashSaleClock.TimeProvider;
            o.RateLimitPermits = 0;
            configure?.Invoke(o);
        }, s => s.AddSingleton<TimeProvider>(_time));

    private FlashSaleDefinition Active(int stock = 10, int limit = 2) => SaleHarness.Definition(stock, limit, now: _time.GetUtcNow());

    private static ReserveRequest Request(Guid sale, string user = "alice", int quantity = 1, string? id = null) =>
        new() { SaleId = sale, ProductId = "p1", UserId = user, Quantity = quantity, ReservationId = id };

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Reserve_RetriedWithTheSameId_AnswersTheSameReservation_AndHoldsUnitsOnce()
    {
        await using var h = await InstanceAsync();
        var sale = await h.Sales.CreateSaleAsync(Active());

        var first = await h.Sales.ReserveAsync(Request(sale.Id, id: "order-1"));
        var retry = await h.Sales.ReserveAsync(Request(sale.Id, id: "order-1"));

        Assert.Equal(ReserveOutcome.Reserved, retry.Outcome);
        Assert.True(retry.IsReplay);
        Assert.Equal(first.Reservation, retry.Reservation);
        Assert.Equal(9, Assert.Single((await h.Sales.GetSaleAsync(sale.Id))!.Items).Available);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Reserve_SameIdWithDifferentQuantity_IsAnIdempotencyConflict()
    {
        await using var h = await InstanceAsync();
        var sale = await h.Sales.CreateSaleAsync(Active());
        await h.Sales.ReserveAsync(Request(sale.Id, id: "order-1"));

        var conflict = await h.Sales.ReserveAsync(Request(sale.Id, quantity: 2, id: "order-1"));

        Assert.Equal(ReserveOutcome.IdempotencyConflict, conflict.Outcome);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task ConfirmAndRelease_ChangeStateOnlyFromReserved_AndAnswerTheCurrentStateWhenRepeated()
    {
        await using var h = await InstanceAsync();
        var sale = await h.Sales.CreateSaleAsync(Active());
        var a = (await h.Sales.ReserveAsync(Request(sale.Id, "alice"))).Reservation!;
        var b = (await h.Sales.ReserveAsync(Request(sale.Id, "bob"))).Reservation!;

        Assert.Equal(ReservationOutcome.Confirmed, (await h.Sales.ConfirmAsync(sale.Id, a.Id, "alice")).Outcome);
        Assert.Equal(ReservationOutcome.AlreadyConfirmed, (await h.Sales.ConfirmAsync(sale.Id, a.Id, "alice")).Outcome);
        Assert.Equal(ReservationOutcome.AlreadyConfirmed, (await h.Sales.ReleaseAsync(sale.Id, a.Id, "alice")).Outcome);

        var released = await h.Sales.ReleaseAsync(sale.Id, b.Id, "bob");
        Assert.Equal(ReservationOutcome.Released, released.Outcome);
        Assert.Equal((ReservationState.Released, 2), (released.Reservation!.State, released.Reservation.Version));
        Assert.Equal(ReservationOutcome.AlreadyReleased, (await h.Sales.ReleaseAsync(sale.Id, b.Id, "bob")).Outcome);
        Assert.Equal(ReservationOutcome.AlreadyReleased, (await h.Sales.ConfirmAsync(sale.Id, b.Id, "bob")).Outcome);

        var item = Assert.Single((await h.Sales.GetSaleAsync(sale.Id))!.Items);
        Assert.Equal((9, 0, 1), (item.Available, item.Reserved, item.Confirmed));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Confirm_ByAnotherUserOrUnknownId_IsNotFound()
    {
        await using var h = await InstanceAsync();
        var sale = await h.Sales.CreateSaleAsync(Active());
        var a = (await h.Sales.ReserveAsync(Request(sale.Id, "alice"))).Reservation!;

        Assert.Equal(ReservationOutcome.NotFound, (await h.Sales.ConfirmAsync(sale.Id, a.Id, "mallory")).Outcome);
        Assert.Equal(ReservationOutcome.NotFound, (await h.Sales.ConfirmAsync(sale.Id, "nope", "alice")).Outcome);
        Assert.Equal(ReservationOutcome.NotFound, (await h.Sales.ConfirmAsync(Guid.NewGuid(), a.Id, "alice")).Outcome);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Reserve_UnknownSaleOrProduct_IsNotFound()
    {
        await using var h = await InstanceAsync();
        var sale = await h.Sales.CreateSaleAsync(Active());

        Assert.Equal(ReserveOutcome.NotFound, (await h.Sales.ReserveAsync(Request(Guid.NewGuid()))).Outcome);
        Assert.Equal(ReserveOutcome.NotFound, (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "other", UserId = "alice" })).Outcome);
        Assert.Null(await h.Sales.GetSaleAsync(Guid.NewGuid()));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task SaleWindow_FollowsTheClock_ScheduledThenActiveThenEnded()
    {
        await using var h = await InstanceAsync();
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(startsIn: TimeSpan.FromMinutes(10), lasts: TimeSpan.FromMinutes(30), now: _time.GetUtcNow()));

        var early = await h.Sales.ReserveAsync(Request(sale.Id));
        Assert.Equal((ReserveOutcome.SaleNotActive, FlashSaleStatus.Scheduled), (early.Outcome, early.SaleStatus));
        Assert.Equal(FlashSaleStatus.Scheduled, (await h.Sales.GetSaleAsync(sale.Id))!.Status);

        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(ReserveOutcome.Reserved, (await h.Sales.ReserveAsync(Request(sale.Id))).Outcome);
        Assert.Equal(FlashSaleStatus.Active, (await h.Sales.GetSaleAsync(sale.Id))!.Status);

        _time.Advance(TimeSpan.FromMinutes(30));
        var late = await h.Sales.ReserveAsync(Request(sale.Id, "bob"));
        Assert.Equal((ReserveOutcome.SaleNotActive, FlashSaleStatus.Ended), (late.Outcome, late.SaleStatus));
        Assert.Equal(FlashSaleStatus.Ended, (await h.Sales.GetSaleAsync(sale.Id))!.Status);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Cancel_StopsReservationsAndConfirmations_AndIsRepeatable()
    {
        await using var h = await InstanceAsync();
        var sale = await h.Sales.CreateSaleAsync(Active());
        var held = (await h.Sales.ReserveAsync(Request(sale.Id))).Reservation!;

        Assert.Equal(SaleChangeOutcome.Done, await h.Sales.CancelSaleAsync(sale.Id));
        Assert.Equal(SaleChangeOutcome.Cancelled, await h.Sales.CancelSaleAsync(sale.Id));

        var reserve = await h.Sales.ReserveAsync(Request(sale.Id, "bob"));
        Assert.Equal((ReserveOutcome.SaleNotActive, FlashSaleStatus.Cancelled), (reserve.Outcome, reserve.SaleStatus));
        Assert.Equal(ReservationOutcome.SaleNotActive, (await h.Sales.ConfirmAsync(sale.Id, held.Id, "alice")).Outcome);
        Assert.Equal(ReservationOutcome.Released, (await h.Sales.ReleaseAsync(sale.Id, held.Id, "alice")).Outcome);
        Assert.Equal(FlashSaleStatus.Cancelled, (await h.Sales.GetSaleAsync(sale.Id))!.Status);
        Assert.Equal(SaleChangeOutcome.NotFound, await h.Sales.CancelSaleAsync(Guid.NewGuid()));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Update_BeforeStart_ReplacesItems_AfterStart_IsRefused()
    {
        await using var h = await InstanceAsync();
        var definition = SaleHarness.Definition(startsIn: TimeSpan.FromMinutes(5), now: _time.GetUtcNow());
        var sale = await h.Sales.CreateSaleAsync(definition);

        var updated = definition with { Name = "Renamed", Items = [new FlashSaleItemDefinition("p2", 7, 5m, 1)] };
        Assert.Equal(SaleChangeOutcome.Done, await h.Sales.UpdateSaleAsync(sale.Id, updated));
        var read = (await h.Sales.GetSaleAsync(sale.Id))!;
        Assert.Equal("Renamed", read.Name);
        Assert.Equal(new FlashSaleItem("p2", 7, 7, 0, 0, 5m, 1), Assert.Single(read.Items));

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(SaleChangeOutcome.AlreadyStarted, await h.Sales.UpdateSaleAsync(sale.Id, definition));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Create_WithTheSameId_IsIdempotent_ButADifferentDefinitionIsRejected()
    {
        await using var h = await InstanceAsync();
        var definition = Active();
        var first = await h.Sales.CreateSaleAsync(definition);
        var again = await h.Sales.CreateSaleAsync(definition);

        Assert.Equal(first.Id, again.Id);
        var error = await Assert.ThrowsAsync<FlashSaleDefinitionException>(() => h.Sales.CreateSaleAsync(definition with { Name = "Other" }));
        Assert.Contains("id", error.Errors.Keys);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task BadInput_IsRejectedWithEveryProblemByField()
    {
        await using var h = await InstanceAsync();
        var bad = Active() with
        {
            ShopId = "",
            EndsAt = _time.GetUtcNow().AddHours(-2),
            Items = [new FlashSaleItemDefinition("a|b", -1, -5m, 0), new FlashSaleItemDefinition("x", 1, 1m, 1), new FlashSaleItemDefinition("x", 1, 1m, 1)],
        };

        var definition = await Assert.ThrowsAsync<FlashSaleDefinitionException>(() => h.Sales.CreateSaleAsync(bad));
        Assert.Equal(
            new[] { "endsAt", "items", "items[0].perUserLimit", "items[0].price", "items[0].productId", "items[0].stock", "shopId" },
            definition.Errors.Keys.Order(StringComparer.Ordinal));

        var request = await Assert.ThrowsAsync<FlashSaleDefinitionException>(() =>
            h.Sales.ReserveAsync(new ReserveRequest { SaleId = Guid.NewGuid(), ProductId = "p1", UserId = "", Quantity = 0 }));
        Assert.Equal(new[] { "quantity", "userId" }, request.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Hold_ExpiresWhenItsTimeComes_ReturningUnitsAndTheUsersAllowance()
    {
        await using var h = await InstanceAsync(o => o.HoldDuration = TimeSpan.FromMinutes(5));
        var sale = await h.Sales.CreateSaleAsync(Active(stock: 3, limit: 1));
        var held = (await h.Sales.ReserveAsync(Request(sale.Id))).Reservation!;
        Assert.Equal(_time.GetUtcNow().AddMinutes(5), held.ExpiresAt);

        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, await h.Maintenance.SweepExpiredAsync(sale.Id));
        Assert.Equal(ReserveOutcome.LimitExceeded, (await h.Sales.ReserveAsync(Request(sale.Id))).Outcome);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await h.Maintenance.SweepExpiredAsync(sale.Id));

        var item = Assert.Single((await h.Sales.GetSaleAsync(sale.Id))!.Items);
        Assert.Equal((3, 0), (item.Available, item.Reserved));
        Assert.Equal(ReservationState.Expired, (await h.Sales.GetReservationAsync(sale.Id, held.Id, held.UserId))!.State);
        Assert.Equal(ReservationOutcome.Expired, (await h.Sales.ConfirmAsync(sale.Id, held.Id, "alice")).Outcome);
        Assert.Equal(ReserveOutcome.Reserved, (await h.Sales.ReserveAsync(Request(sale.Id))).Outcome); // allowance back
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Confirm_AtTheMomentTheHoldExpires_FailsCleanly_WithoutASweep()
    {
        await using var h = await InstanceAsync(o => o.HoldDuration = TimeSpan.FromMinutes(5));
        var sale = await h.Sales.CreateSaleAsync(Active(stock: 1));
        var held = (await h.Sales.ReserveAsync(Request(sale.Id))).Reservation!;

        _time.Advance(TimeSpan.FromMinutes(5));
        var confirm = await h.Sales.ConfirmAsync(sale.Id, held.Id, "alice");

        Assert.Equal(ReservationOutcome.Expired, confirm.Outcome);
        Assert.Equal((ReservationState.Expired, 2), (confirm.Reservation!.State, confirm.Reservation.Version));
        var item = Assert.Single((await h.Sales.GetSaleAsync(sale.Id))!.Items);
        Assert.Equal((1, 0, 0), (item.Available, item.Reserved, item.Confirmed));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Reserve_ExpiresDueHoldsOnItsWay_SoStockComesBackWithoutTheSweeper()
    {
        await using var h = await InstanceAsync(o => o.HoldDuration = TimeSpan.FromMinutes(5));
        var sale = await h.Sales.CreateSaleAsync(Active(stock: 1));
        await h.Sales.ReserveAsync(Request(sale.Id, "alice"));
        Assert.Equal(ReserveOutcome.SoldOut, (await h.Sales.ReserveAsync(Request(sale.Id, "bob"))).Outcome);

        _time.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal(ReserveOutcome.Reserved, (await h.Sales.ReserveAsync(Request(sale.Id, "bob"))).Outcome);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task RedisClock_IsTheDefault_AndExpiresHoldsByRedisTime()
    {
        await using var h = await SaleHarness.CreateAsync(redis.ConnectionString, postgres.ConnectionString, TestNames.Unique(), o =>
        {
            o.HoldDuration = TimeSpan.FromMilliseconds(200);
            o.RateLimitPermits = 0;
        });
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 1));
        var held = (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice" })).Reservation!;

        await Task.Delay(300);

        Assert.Equal(ReservationOutcome.Expired, (await h.Sales.ConfirmAsync(sale.Id, held.Id, "alice")).Outcome);
    }
}
