using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace Commerce.FlashSale.Tests;

/// <summary>Sale lifecycle events: each transition recorded once across instances, by Redis' clock.</summary>
public sealed class LifecycleEventTests(RedisFixture redis, PostgresFixture postgres) : IClassFixture<RedisFixture>, IClassFixture<PostgresFixture>
{
    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task EachLifecycleTransition_IsDeliveredOnce_AcrossTwoInstances()
    {
        var name = TestNames.Unique();
        var recorder = new LifecycleRecorder();
        async Task<SaleHarness> InstanceAsync()
        {
            var h = await SaleHarness.CreateAsync(redis.ConnectionString, postgres.ConnectionString, name, o =>
            {
                o.RateLimitPermits = 0;
                o.RunBackgroundWorkers = true;
                o.JournalPollInterval = TimeSpan.FromMilliseconds(50);
            }, s => s.AddSingleton<IFlashSaleLifecycleSubscriber>(recorder));
            await h.StartAsync();
            return h;
        }

        await using var a = await InstanceAsync();
        await using var b = await InstanceAsync();
        var definition = SaleHarness.Definition(stock: 2, limit: 2, startsIn: TimeSpan.FromSeconds(1), lasts: TimeSpan.FromSeconds(4));
        var sale = await a.Sales.CreateSaleAsync(definition);
        var cancelled = await b.Sales.CreateSaleAsync(SaleHarness.Definition(startsIn: TimeSpan.FromHours(1)));
        await b.Sales.CancelSaleAsync(cancelled.Id);
        await a.Sales.CancelSaleAsync(cancelled.Id); // a repeat changes nothing

        await Eventually.TrueAsync(() => recorder.Of(sale.Id).Contains(FlashSaleLifecycleKind.Started));
        var held = (await a.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice", Quantity = 2 })).Reservation!;
        Assert.Equal(ReserveOutcome.SoldOut, (await b.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "bob" })).Outcome);
        await b.Sales.ReleaseAsync(sale.Id, held.Id, "alice");
        await Eventually.TrueAsync(() => recorder.Of(sale.Id).Contains(FlashSaleLifecycleKind.Ended), TimeSpan.FromSeconds(30));
        await Task.Delay(300); // any duplicate would have been delivered by now

        Assert.Equal(
            [FlashSaleLifecycleKind.Started, FlashSaleLifecycleKind.SoldOut, FlashSaleLifecycleKind.UnitsAvailable, FlashSaleLifecycleKind.Ended],
            recorder.Of(sale.Id));
        Assert.Equal([FlashSaleLifecycleKind.Cancelled], recorder.Of(cancelled.Id));
        Assert.Equal(2, recorder.Events.Single(e => e.SaleId == sale.Id && e.Kind == FlashSaleLifecycleKind.UnitsAvailable).Available);
        await a.StopAsync();
        await b.StopAsync();
    }

    public sealed class LifecycleRecorder : IFlashSaleLifecycleSubscriber
    {
        private readonly ConcurrentQueue<FlashSaleLifecycleEvent> _events = new();

        public IReadOnlyCollection<FlashSaleLifecycleEvent> Events => _events;

        public FlashSaleLifecycleKind[] Of(Guid sale) => _events.Where(e => e.SaleId == sale).OrderBy(e => e.Sequence).Select(e => e.Kind).ToArray();

        public ValueTask HandleAsync(FlashSaleLifecycleEvent lifecycleEvent, CancellationToken cancellationToken)
        {
            _events.Enqueue(lifecycleEvent);
            return ValueTask.CompletedTask;
        }
    }
}
