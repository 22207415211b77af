using System.Collections.Concurrent;
using Commerce.FlashSale.Internal;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Commerce.FlashSale.Tests;

/// <summary>The journal keeps draining: a poison entry is parked, a hung subscriber stalls only its own sale, the lease is its owner's.</summary>
public sealed class JournalLivenessTests(RedisFixture redis, PostgresFixture postgres) : IClassFixture<RedisFixture>, IClassFixture<PostgresFixture>
{
    private Task<SaleHarness> InstanceAsync(string name, Action<FlashSaleOptions>? configure = null, Action<IServiceCollection>? services = null) =>
        SaleHarness.CreateAsync(redis.ConnectionString, postgres.ConnectionString, name, o =>
        {
            o.RateLimitPermits = 0;
            configure?.Invoke(o);
        }, services);

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task PoisonJournalEntries_AreParkedWithTheirError_AndTheRestOfTheJournalDrains()
    {
        var name = TestNames.Unique();
        await using var h = await InstanceAsync(name);
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 10, limit: 10));
        await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice" });
        var journal = (RedisKey)$"test:fs:{name}:{{{sale.Id:N}}}:journal";
        // An unreadable entry, and one PostgreSQL refuses (a product the sale does not have).
        await redis.Database.StreamAddAsync(journal, [new("k", "r"), new("n", "not-a-number")]);
        await redis.Database.StreamAddAsync(journal,
        [
            new("k", "r"), new("n", "1000"), new("r", "ghost"), new("s", "reserved"), new("v", "1"), new("u", "mallory"), new("p", "no-such-product"),
            new("q", "1"), new("c", "1"), new("x", "2"), new("t", "1"),
        ]);
        await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "bob" });

        await h.Maintenance.DrainJournalAsync(sale.Id);

        var report = await h.Maintenance.ReconcileAsync(sale.Id);
        Assert.Equal(0, report.PendingJournalEntries);
        Assert.Equal(2, report.DeadLetters.Count);
        Assert.Contains(report.DeadLetters, d => d.Error.Length > 0 && d.Sequence == 1000);
        Assert.True(report.IsConsistent, string.Join("; ", report.Differences)); // alice's and bob's holds reached PostgreSQL
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task HungEventSubscriber_StallsOnlyItsOwnSale()
    {
        var name = TestNames.Unique();
        var subscriber = new HangingSubscriber();
        await using var h = await InstanceAsync(name, o =>
        {
            o.RunBackgroundWorkers = true;
            o.JournalPollInterval = TimeSpan.FromMilliseconds(50);
            o.EventDeliveryTimeout = TimeSpan.FromMinutes(5); // the hang outlasts the test: only isolation can save sale B
        }, s => s.AddSingleton<IFlashSaleEventSubscriber>(subscriber));
        await h.StartAsync();
        var stuck = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 10, limit: 10));
        var fine = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 10, limit: 10));
        subscriber.HangOn = stuck.Id;

        await h.Sales.ReserveAsync(new ReserveRequest { SaleId = stuck.Id, ProductId = "p1", UserId = "alice" });
        await Eventually.TrueAsync(() => subscriber.Hanging);
        for (var i = 0; i < 3; i++)
        {
            await h.Sales.ReserveAsync(new ReserveRequest { SaleId = fine.Id, ProductId = "p1", UserId = $"u{i}" });
        }

        await Eventually.TrueAsync(() => subscriber.Delivered.Count(e => e.SaleId == fine.Id) == 3, because: "sale B's events are delivered while sale A's subscriber hangs");
        await Eventually.TrueAsync(async () => (await h.Maintenance.ReconcileAsync(fine.Id)).PendingJournalEntries == 0);
        subscriber.Release();
        await h.StopAsync();
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task SubscriberThatNeverReturns_TimesOut_AndItsEntriesAreDeliveredAgain()
    {
        var name = TestNames.Unique();
        var subscriber = new HangingSubscriber { HangOnce = true };
        await using var h = await InstanceAsync(name, o => o.EventDeliveryTimeout = TimeSpan.FromMilliseconds(200), s => s.AddSingleton<IFlashSaleEventSubscriber>(subscriber));
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition());
        subscriber.HangOn = sale.Id;
        await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice" });

        await h.Maintenance.DrainJournalAsync(sale.Id).WaitAsync(TimeSpan.FromSeconds(30)); // returns although the subscriber never does
        Assert.Equal(1, (await h.Maintenance.ReconcileAsync(sale.Id)).PendingJournalEntries);
        await h.Maintenance.DrainJournalAsync(sale.Id);

        Assert.Single(subscriber.Delivered);
        Assert.Equal(0, (await h.Maintenance.ReconcileAsync(sale.Id)).PendingJournalEntries);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task DrainLease_IsRenewedAndReleasedOnlyByItsOwner()
    {
        await using var h = await InstanceAsync(TestNames.Unique(), o => o.JournalLeaseDuration = TimeSpan.FromSeconds(2));
        await using var other = await InstanceAsync(TestNames.Unique(), o => o.JournalLeaseDuration = TimeSpan.FromSeconds(2));
        var lease = h.Services.GetRequiredService<DrainLease>();
        var sale = Guid.NewGuid();

        var mine = await lease.TryAcquireAsync(sale);
        Assert.NotNull(mine);
        Assert.Null(await lease.TryAcquireAsync(sale));
        Assert.False(await lease.RenewAsync(sale, "someone-else"));
        await lease.ReleaseAsync(sale, "someone-else");
        Assert.Null(await lease.TryAcquireAsync(sale)); // still held
        Assert.True(await lease.RenewAsync(sale, mine!));
        await lease.ReleaseAsync(sale, mine!);
        Assert.NotNull(await lease.TryAcquireAsync(sale));
    }

    public sealed class HangingSubscriber : IFlashSaleEventSubscriber
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentQueue<FlashSaleEvent> _delivered = new();
        private int _hanging;

        public Guid HangOn { get; set; }

        public bool HangOnce { get; set; }

        public bool Hanging => Volatile.Read(ref _hanging) > 0;

        public IReadOnlyCollection<FlashSaleEvent> Delivered => _delivered;

        public void Release() => _release.TrySetResult();

        public async ValueTask HandleAsync(FlashSaleEvent saleEvent, CancellationToken cancellationToken)
        {
            if (saleEvent.SaleId == HangOn && (!HangOnce || Interlocked.CompareExchange(ref _hanging, 1, 0) == 0))
            {
                Interlocked.Exchange(ref _hanging, 1);
                await _release.Task; // ignores its cancellation: the worst kind of subscriber
                return;
            }

            _delivered.Enqueue(saleEvent);
        }
    }
}
