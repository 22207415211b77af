using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Commerce.FlashSale.Tests;

/// <summary>
/// A sale's waiting room on real Redis and PostgreSQL, across two instances, the sale clock a FakeTimeProvider: random
/// places before the start, order after, admissions at the rate, paused while sold out, and only admitted shoppers
/// reserve, with a token bound to their sale and user.
/// </summary>
public sealed class WaitingRoomTests(RedisFixture redis, PostgresFixture postgres) : IClassFixture<RedisFixture>, IClassFixture<PostgresFixture>
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 24, 12, 0, 0, TimeSpan.Zero));

    private Task<SaleHarness> InstanceAsync(string name) =>
        SaleHarness.CreateAsync(redis.ConnectionString, postgres.ConnectionString, name, o =>
        {
            o.Clock = FlashSaleClock.TimeProvider;
            o.RateLimitPermits = 0;
        }, s => s.AddSingleton<TimeProvider>(_time));

    private FlashSaleDefinition Room(int stock, int rate = 10) =>
        SaleHarness.Definition(stock: stock, limit: 1, startsIn: TimeSpan.FromMinutes(1), now: _time.GetUtcNow())
            with { WaitingRoom = new FlashSaleWaitingRoom { AdmissionsPerSecond = rate, AdmissionLifetime = TimeSpan.FromMinutes(1) } };

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task EarlyShoppersGetRandomPlaces_LaterOnesQueueInOrder_AndAdmissionsRunAtTheRate()
    {
        var name = TestNames.Unique();
        await using var a = await InstanceAsync(name);
        await using var b = await InstanceAsync(name);
        var sale = await a.Sales.CreateSaleAsync(Room(stock: 100));

        // 200 shoppers arrive before the start, in order: their places are a shuffle, not their arrival order
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(QueueOutcome.Waiting, (await (i % 2 == 0 ? a : b).Sales.JoinQueueAsync(sale.Id, $"early-{i}")).Outcome);
        }

        // asking again (as a waiting client does) gives each its place among all the early ones
        var early = new List<QueueTicket>();
        for (var i = 0; i < 200; i++)
        {
            early.Add(await (i % 2 == 0 ? b : a).Sales.JoinQueueAsync(sale.Id, $"early-{i}"));
        }

        Assert.All(early, t => Assert.Equal(QueueOutcome.Waiting, t.Outcome));
        Assert.Equal(200, early.Select(t => t.Rank).Distinct().Count());
        var firstHalf = early.Take(100).Count(t => t.Rank < 100);
        Assert.InRange(firstHalf, 30, 70); // arriving earlier gives no better place (by order it would be 100)
        Assert.Equal(early[7].Rank, (await b.Sales.JoinQueueAsync(sale.Id, "early-7")).Rank); // asking again keeps the place

        // after the start, in order, behind every early shopper
        _time.Advance(TimeSpan.FromMinutes(1));
        var late = new List<QueueTicket>();
        for (var i = 0; i < 5; i++)
        {
            late.Add(await a.Sales.JoinQueueAsync(sale.Id, $"late-{i}"));
        }

        Assert.Equal(Enumerable.Range(200, 5).Select(r => (long)r), late.Select(t => t.Rank));

        // 10 per second: after 3 s the first 30 are admitted, the 31st waits
        _time.Advance(TimeSpan.FromSeconds(3));
        var byRank = early.ToDictionary(t => t.Rank, t => early.IndexOf(t));
        var admitted = await b.Sales.JoinQueueAsync(sale.Id, $"early-{byRank[29]}");
        var waiting = await a.Sales.JoinQueueAsync(sale.Id, $"early-{byRank[30]}");
        Assert.Equal((QueueOutcome.Admitted, 30L), (admitted.Outcome, admitted.AdmittedThrough));
        Assert.Equal((QueueOutcome.Waiting, 1L), (waiting.Outcome, waiting.Position));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task OnlyAnAdmittedShopperReserves_WithTheirOwnUnexpiredToken_OnEitherInstance()
    {
        var name = TestNames.Unique();
        await using var a = await InstanceAsync(name);
        await using var b = await InstanceAsync(name);
        var sale = await a.Sales.CreateSaleAsync(Room(stock: 10));
        var alice = await a.Sales.JoinQueueAsync(sale.Id, "alice");
        _time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        alice = await a.Sales.JoinQueueAsync(sale.Id, "alice");
        Assert.Equal(QueueOutcome.Admitted, alice.Outcome);
        var token = alice.AdmissionToken!;

        ReserveRequest Request(string user, string? admission) => new() { SaleId = sale.Id, ProductId = "p1", UserId = user, AdmissionToken = admission };
        Assert.Equal(ReserveOutcome.NotAdmitted, (await b.Sales.ReserveAsync(Request("alice", null))).Outcome);
        Assert.Equal(ReserveOutcome.NotAdmitted, (await b.Sales.ReserveAsync(Request("mallory", token))).Outcome); // another user's token
        Assert.Equal(ReserveOutcome.NotAdmitted, (await b.Sales.ReserveAsync(Request("alice", token[..^2] + "xx"))).Outcome); // forged
        var other = await a.Sales.CreateSaleAsync(Room(stock: 10) with { Id = Guid.NewGuid() });
        Assert.Equal(ReserveOutcome.NotAdmitted, (await b.Sales.ReserveAsync(Request("alice", token) with { SaleId = other.Id })).Outcome); // another sale's
        Assert.Equal(ReserveOutcome.Reserved, (await b.Sales.ReserveAsync(Request("alice", token))).Outcome);

        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(ReserveOutcome.NotAdmitted, (await a.Sales.ReserveAsync(Request("alice", token) with { ProductId = "p1", Quantity = 1 })).Outcome); // expired

        // a sale without a room ignores tokens
        var open = await a.Sales.CreateSaleAsync(SaleHarness.Definition(now: _time.GetUtcNow()));
        Assert.Equal(ReserveOutcome.Reserved, (await b.Sales.ReserveAsync(new ReserveRequest { SaleId = open.Id, ProductId = "p1", UserId = "bob" })).Outcome);
        Assert.Equal(QueueOutcome.NoWaitingRoom, (await b.Sales.JoinQueueAsync(open.Id, "bob")).Outcome);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task AdmissionsPause_WhileEveryUnitIsHeld_AndEveryoneWaitingIsToldSoldOut()
    {
        var name = TestNames.Unique();
        await using var h = await InstanceAsync(name);
        var sale = await h.Sales.CreateSaleAsync(Room(stock: 2, rate: 1));
        for (var i = 0; i < 10; i++)
        {
            await h.Sales.JoinQueueAsync(sale.Id, $"s{i}");
        }

        _time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(2));
        var admitted = new List<(string User, QueueTicket Ticket)>();
        for (var i = 0; i < 10; i++)
        {
            var ticket = await h.Sales.JoinQueueAsync(sale.Id, $"s{i}");
            if (ticket.Outcome == QueueOutcome.Admitted)
            {
                admitted.Add(($"s{i}", ticket));
            }
        }

        Assert.Equal(2, admitted.Count);
        var holds = new List<Reservation>();
        foreach (var (user, ticket) in admitted)
        {
            var result = await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = user, AdmissionToken = ticket.AdmissionToken });
            Assert.Equal(ReserveOutcome.Reserved, result.Outcome);
            holds.Add(result.Reservation!);
        }

        // stock minus holds is zero: nobody else is admitted, however long they wait, and each is told sold out
        _time.Advance(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 10; i++)
        {
            var ticket = await h.Sales.JoinQueueAsync(sale.Id, $"s{i}");
            Assert.Equal((QueueOutcome.SoldOut, 2L), (ticket.Outcome, ticket.AdmittedThrough));
        }

        // a unit back: admissions resume at the rate from where they stopped (one more per second), not all at once
        Assert.Equal(ReservationOutcome.Released, (await h.Sales.ReleaseAsync(sale.Id, holds[0].Id, holds[0].UserId)).Outcome);
        Assert.Equal(2, (await h.Sales.JoinQueueAsync(sale.Id, "s0")).AdmittedThrough);
        _time.Advance(TimeSpan.FromSeconds(1));
        var tickets = new List<QueueTicket>();
        for (var i = 0; i < 10; i++)
        {
            tickets.Add(await h.Sales.JoinQueueAsync(sale.Id, $"s{i}"));
        }

        Assert.All(tickets, t => Assert.Equal(3L, t.AdmittedThrough));
        Assert.Equal(3, tickets.Count(t => t.Outcome == QueueOutcome.Admitted));
    }
}
