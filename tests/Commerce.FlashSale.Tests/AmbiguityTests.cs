using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Commerce.FlashSale.Tests;

/// <summary>Retries are safe: a lost reply says so, ids are scoped per user, and a replay answers the hold's real state.</summary>
public sealed class AmbiguityTests(RedisFixture redis, PostgresFixture postgres) : IClassFixture<RedisFixture>, IClassFixture<PostgresFixture>
{
    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task ReserveWhoseReplyIsLost_SaysItMayHaveApplied_AndARetryWithTheSameIdHoldsOnce()
    {
        var name = TestNames.Unique();
        await using var proxy = TcpChaosProxy.Start(redis.EndPoint);
        await using var h = await SaleHarness.CreateAsync($"{proxy.EndPoint},syncTimeout=1000,asyncTimeout=1000", postgres.ConnectionString, name, o => o.RateLimitPermits = 0);
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 10, limit: 5));

        proxy.HangReplies(); // the script runs in Redis; its answer never comes back
        var error = await Assert.ThrowsAsync<FlashSaleUnavailableException>(() =>
            h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice", Quantity = 2 }));
        proxy.Restore();

        Assert.True(error.MayHaveApplied);
        Assert.False(string.IsNullOrEmpty(error.ReservationId));
        var retry = await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice", Quantity = 2, ReservationId = error.ReservationId });
        Assert.Equal(ReserveOutcome.Reserved, retry.Outcome);
        Assert.True(retry.IsReplay);
        Assert.Equal(2, Assert.Single((await h.Sales.GetSaleAsync(sale.Id))!.Items).Reserved); // held once
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task ReservationIds_AreScopedPerUser_SoAnotherUserCannotTakeAnIdFirst()
    {
        await using var h = await SaleHarness.CreateAsync(redis.ConnectionString, postgres.ConnectionString, TestNames.Unique(), o => o.RateLimitPermits = 0);
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 10, limit: 5));

        var mallory = await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "mallory", ReservationId = "order-1001" });
        var alice = await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice", Quantity = 2, ReservationId = "order-1001" });

        Assert.Equal((ReserveOutcome.Reserved, false), (mallory.Outcome, mallory.IsReplay));
        Assert.Equal((ReserveOutcome.Reserved, false), (alice.Outcome, alice.IsReplay));
        Assert.Equal(ReservationOutcome.Confirmed, (await h.Sales.ConfirmAsync(sale.Id, "order-1001", "alice")).Outcome);
        Assert.Equal(ReservationState.Reserved, (await h.Sales.GetReservationAsync(sale.Id, "order-1001", "mallory"))!.State);
        await h.Maintenance.DrainJournalAsync(sale.Id);
        Assert.True((await h.Maintenance.ReconcileAsync(sale.Id)).IsConsistent);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task RetryOfAHoldThatHasSinceExpired_AnswersItsRealState()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await SaleHarness.CreateAsync(redis.ConnectionString, postgres.ConnectionString, TestNames.Unique(), o =>
        {
            o.RateLimitPermits = 0;
            o.Clock = FlashSaleClock.TimeProvider;
            o.HoldDuration = TimeSpan.FromMinutes(5);
        }, s => s.AddSingleton<TimeProvider>(time));
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(now: time.GetUtcNow()));
        var request = new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice", ReservationId = "checkout-7" };
        await h.Sales.ReserveAsync(request);

        time.Advance(TimeSpan.FromMinutes(6));
        await h.Maintenance.SweepExpiredAsync(sale.Id);
        var replay = await h.Sales.ReserveAsync(request);

        Assert.Equal(ReserveOutcome.HoldEnded, replay.Outcome);
        Assert.True(replay.IsReplay);
        Assert.Equal(ReservationState.Expired, replay.Reservation!.State);
        Assert.Equal(0, Assert.Single((await h.Sales.GetSaleAsync(sale.Id))!.Items).Reserved); // nothing held by the replay
    }
}
