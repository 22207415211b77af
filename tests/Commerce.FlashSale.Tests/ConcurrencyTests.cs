using System.Collections.Concurrent;

namespace Commerce.FlashSale.Tests;

/// <summary>The claims that matter most, under many parallel callers on real Redis (and PostgreSQL for the journal).</summary>
public sealed class ConcurrencyTests(RedisFixture redis, PostgresFixture postgres) : IClassFixture<RedisFixture>, IClassFixture<PostgresFixture>
{
    private async Task<SaleHarness[]> InstancesAsync(string name, int count, Action<FlashSaleOptions>? configure = null)
    {
        var instances = new SaleHarness[count];
        for (var i = 0; i < count; i++)
        {
            instances[i] = await SaleHarness.CreateAsync(redis.ConnectionString, postgres.ConnectionString, name, configure);
        }

        return instances;
    }

    private static async Task DisposeAllAsync(IEnumerable<SaleHarness> instances)
    {
        foreach (var instance in instances)
        {
            await instance.DisposeAsync();
        }
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Reserve_ManyUsersInParallelThroughSeveralConnections_NeverOversells_SellsEveryUnit_AndRespectsLimits()
    {
        var instances = await InstancesAsync(TestNames.Unique(), 4, o => o.RateLimitPermits = 0);
        try
        {
            var sale = await instances[0].Sales.CreateSaleAsync(SaleHarness.Definition(stock: 100, limit: 3));
            var results = new ConcurrentBag<(string User, ReserveResult Result)>();

            // 120 users, 4 attempts each, spread over four connections: 480 requests for 100 units.
            await Task.WhenAll(Enumerable.Range(0, 480).Select(i => Task.Run(async () =>
            {
                var user = $"u{i % 120}";
                var result = await instances[i % 4].Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = user });
                results.Add((user, result));
            })));

            var reserved = results.Where(r => r.Result.Outcome == ReserveOutcome.Reserved).ToList();
            Assert.Equal(100, reserved.Count);
            Assert.All(reserved.GroupBy(r => r.User), g => Assert.InRange(g.Count(), 1, 3));
            Assert.All(results.Where(r => r.Result.Outcome == ReserveOutcome.SoldOut), r => Assert.Equal(0, r.Result.Available));
            Assert.All(results, r => Assert.Contains(r.Result.Outcome, new[] { ReserveOutcome.Reserved, ReserveOutcome.SoldOut, ReserveOutcome.LimitExceeded }));

            var item = Assert.Single((await instances[1].Sales.GetSaleAsync(sale.Id))!.Items);
            Assert.Equal((0, 100, 0), (item.Available, item.Reserved, item.Confirmed));

            // every hold confirmed concurrently, from any instance
            var confirmations = await Task.WhenAll(reserved.Select((r, i) => Task.Run(() =>
                instances[i % 4].Sales.ConfirmAsync(sale.Id, r.Result.Reservation!.Id, r.User))));
            Assert.All(confirmations, c => Assert.Equal(ReservationOutcome.Confirmed, c.Outcome));
            item = Assert.Single((await instances[2].Sales.GetSaleAsync(sale.Id))!.Items);
            Assert.Equal((0, 0, 100), (item.Available, item.Reserved, item.Confirmed));

            await instances[3].Maintenance.DrainJournalAsync(sale.Id);
            Assert.True((await instances[3].Maintenance.ReconcileAsync(sale.Id)).IsConsistent);
        }
        finally
        {
            await DisposeAllAsync(instances);
        }
    }

    /// <summary>
    /// Regression for the old design (MGET the user's count, DECRBY stock, INCRBY back when negative, INCR the count):
    /// measured against real Redis, one user with a limit of 5 got 100 units under 200 concurrent requests.
    /// </summary>
    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task OldDesignBug_OneUserWithLimit5Sending200ConcurrentRequests_GetsExactly5()
    {
        var instances = await InstancesAsync(TestNames.Unique(), 2, o => o.RateLimitPermits = 0);
        try
        {
            var sale = await instances[0].Sales.CreateSaleAsync(SaleHarness.Definition(stock: 1_000, limit: 5));

            var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() =>
                instances[i % 2].Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "greedy" }))));

            Assert.Equal(5, results.Count(r => r.Outcome == ReserveOutcome.Reserved));
            Assert.Equal(195, results.Count(r => r.Outcome == ReserveOutcome.LimitExceeded));
            Assert.Equal(5, Assert.Single((await instances[0].Sales.GetSaleAsync(sale.Id))!.Items).Reserved);
        }
        finally
        {
            await DisposeAllAsync(instances);
        }
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Reserve_MixedQuantities_SoldOutOnlyWhenFewerUnitsRemainThanAsked()
    {
        var instances = await InstancesAsync(TestNames.Unique(), 3, o => o.RateLimitPermits = 0);
        try
        {
            var sale = await instances[0].Sales.CreateSaleAsync(SaleHarness.Definition(stock: 50, limit: 6));
            var requests = Enumerable.Range(0, 300).Select(i => new ReserveRequest
            {
                SaleId = sale.Id,
                ProductId = "p1",
                UserId = $"u{i % 60}",
                Quantity = 1 + (i % 3),
            }).ToArray();

            var results = await Task.WhenAll(requests.Select((r, i) => Task.Run(() => instances[i % 3].Sales.ReserveAsync(r))));

            var held = results.Where(r => r.Outcome == ReserveOutcome.Reserved).Sum(r => r.Reservation!.Quantity);
            Assert.InRange(held, 48, 50); // at most 2 units can be left when every later request asks for more
            for (var i = 0; i < results.Length; i++)
            {
                if (results[i].Outcome == ReserveOutcome.SoldOut)
                {
                    Assert.True(results[i].Available < requests[i].Quantity, "sold out must mean fewer units than asked remain");
                }
            }

            var item = Assert.Single((await instances[0].Sales.GetSaleAsync(sale.Id))!.Items);
            Assert.Equal(held, item.Reserved);
            Assert.Equal(50 - held, item.Available);
        }
        finally
        {
            await DisposeAllAsync(instances);
        }
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task ConfirmRacingTheExpirySweep_EachUnitIsSoldAtMostOnce()
    {
        var instances = await InstancesAsync(TestNames.Unique(), 2, o =>
        {
            o.RateLimitPermits = 0;
            o.HoldDuration = TimeSpan.FromMilliseconds(150);
            o.LazySweepBatch = 0;
        });
        try
        {
            var sale = await instances[0].Sales.CreateSaleAsync(SaleHarness.Definition(stock: 60, limit: 1));
            var reservations = await Task.WhenAll(Enumerable.Range(0, 60).Select(i =>
                instances[0].Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = $"u{i}" })));
            Assert.All(reservations, r => Assert.Equal(ReserveOutcome.Reserved, r.Outcome));

            // Around the expiry time, one instance sweeps in a loop while the other confirms every hold.
            using var stop = new CancellationTokenSource();
            var sweeper = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await instances[1].Maintenance.SweepExpiredAsync(sale.Id);
                }
            });
            await Task.Delay(130);
            var confirms = await Task.WhenAll(reservations.Select(r => Task.Run(() =>
                instances[0].Sales.ConfirmAsync(sale.Id, r.Reservation!.Id, r.Reservation.UserId))));
            await Task.Delay(200);
            await stop.CancelAsync();
            await sweeper;

            var confirmed = confirms.Count(c => c.Outcome == ReservationOutcome.Confirmed);
            Assert.All(confirms, c => Assert.Contains(c.Outcome, new[] { ReservationOutcome.Confirmed, ReservationOutcome.Expired }));
            foreach (var (reservation, confirm) in reservations.Zip(confirms))
            {
                var final = await instances[1].Sales.GetReservationAsync(sale.Id, reservation.Reservation!.Id, reservation.Reservation!.UserId);
                Assert.Equal(confirm.Outcome == ReservationOutcome.Confirmed ? ReservationState.Confirmed : ReservationState.Expired, final!.State);
            }

            var item = Assert.Single((await instances[1].Sales.GetSaleAsync(sale.Id))!.Items);
            Assert.Equal(confirmed, item.Confirmed);
            Assert.Equal(0, item.Reserved);
            Assert.Equal(60 - confirmed, item.Available);

            await instances[0].Maintenance.DrainJournalAsync(sale.Id);
            Assert.True((await instances[0].Maintenance.ReconcileAsync(sale.Id)).IsConsistent);
        }
        finally
        {
            await DisposeAllAsync(instances);
        }
    }
}
