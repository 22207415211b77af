using System.Collections.Concurrent;
using System.Diagnostics;
using Commerce.FlashSale.Internal;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Commerce.FlashSale.Tests;

/// <summary>
/// One hot item's stock split over buckets on a real 3-primary Redis Cluster: each bucket on its own primary, exactly the
/// stock sold, every per-user limit kept, and no shopper told "sold out" while units remained anywhere.
/// </summary>
public sealed class BucketTests(RedisClusterFixture cluster, PostgresFixture postgres) : IClassFixture<RedisClusterFixture>, IClassFixture<PostgresFixture>
{
    [IntegrationFact(TestServer.RedisCluster | TestServer.Postgres)]
    public async Task AHotItemOverThreeBuckets_SellsExactlyItsStock_KeepsEveryLimit_AndNeverSaysSoldOutWhileUnitsRemain()
    {
        var name = TestNames.Unique();
        await using var a = await SaleHarness.CreateAsync(cluster.ConnectionString, postgres.ConnectionString, name, o => o.RateLimitPermits = 0);
        await using var b = await SaleHarness.CreateAsync(cluster.ConnectionString, postgres.ConnectionString, name, o => o.RateLimitPermits = 0);
        const int stock = 301;
        var sale = await a.Sales.CreateSaleAsync(SaleHarness.Definition(stock: stock, limit: 3) with { Buckets = 3 });

        // each bucket on its own primary
        var layout = cluster.Connection.GetServers().First().ClusterConfiguration!;
        var primaries = Enumerable.Range(0, 3)
            .Select(bucket => layout.GetBySlot(FlashSaleKeys.HashSlot(FlashSaleKeys.Tag(sale.Id, bucket, 3)))!.NodeId)
            .Distinct().Count();
        Assert.Equal(3, primaries);
        Assert.Equal(cluster.Connection.HashSlot($"{{{FlashSaleKeys.Tag(sale.Id, 2, 3)}}}:x"), FlashSaleKeys.HashSlot(FlashSaleKeys.Tag(sale.Id, 2, 3)));

        // 400 shoppers (uneven over buckets by their hash), each asking up to 4 times for 1-2 units, over two instances
        var clock = Stopwatch.StartNew();
        var answers = new ConcurrentBag<(string User, ReserveResult Result, TimeSpan Started, TimeSpan Ended)>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 400), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var user = $"shopper-{i}";
            for (var attempt = 0; attempt < 4; attempt++)
            {
                var started = clock.Elapsed;
                var result = await (i % 2 == 0 ? a : b).Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = user, Quantity = 1 + (i + attempt) % 2 }, ct);
                answers.Add((user, result, started, clock.Elapsed));
                if (result.Outcome == ReserveOutcome.SoldOut)
                {
                    break;
                }
            }
        });

        var reserved = answers.Where(x => x.Result.Outcome == ReserveOutcome.Reserved).ToArray();
        Assert.Equal(stock, reserved.Sum(x => x.Result.Reservation!.Quantity));
        Assert.All(reserved.GroupBy(x => x.User), g => Assert.True(g.Sum(x => x.Result.Reservation!.Quantity) <= 3, $"{g.Key} holds more than the limit"));
        Assert.DoesNotContain(answers, x => x.Result.Outcome is not (ReserveOutcome.Reserved or ReserveOutcome.SoldOut or ReserveOutcome.LimitExceeded or ReserveOutcome.Recovering));

        // Nothing is released here, so stock only goes down: a reservation that began after a "sold out" (for one
        // unit) was answered means that answer was given while units remained.
        var soldOut = answers.Where(x => x.Result.Outcome == ReserveOutcome.SoldOut && x.Result.Available == 0).ToArray();
        Assert.NotEmpty(soldOut);
        var firstSoldOut = soldOut.Min(x => x.Ended);
        Assert.DoesNotContain(reserved, x => x.Started > firstSoldOut);

        var item = Assert.Single((await b.Sales.GetSaleAsync(sale.Id))!.Items);
        Assert.Equal((stock, 0, stock), (item.Stock, item.Available, item.Reserved));
        await a.Maintenance.DrainJournalAsync(sale.Id);
        Assert.True((await a.Maintenance.ReconcileAsync(sale.Id)).IsConsistent);
    }

    [IntegrationFact(TestServer.RedisCluster | TestServer.Postgres)]
    public async Task SellingOutAndUnitsComingBack_AreEachRecordedOnce_AndAReleasedUnitSellsToAShopperOfAnotherBucket()
    {
        var name = TestNames.Unique();
        var recorder = new LifecycleEventTests.LifecycleRecorder();
        await using var h = await SaleHarness.CreateAsync(cluster.ConnectionString, postgres.ConnectionString, name, o => o.RateLimitPermits = 0,
            s => s.AddSingleton<IFlashSaleLifecycleSubscriber>(recorder));
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 3, limit: 3) with { Buckets = 3 });
        var users = Enumerable.Range(0, 100).Select(i => $"u{i}").ToArray();
        var alice = users.First(u => SaleBuckets.Of(u, 3) == 0);
        var bob = users.First(u => SaleBuckets.Of(u, 3) == 2);

        var held = (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = alice, Quantity = 3 })).Reservation!;
        var refused = await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = bob });
        Assert.Equal((ReserveOutcome.SoldOut, 0), (refused.Outcome, refused.Available));
        Assert.Equal(ReserveOutcome.SoldOut, (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = users[5] })).Outcome);

        Assert.Equal(ReservationOutcome.Released, (await h.Sales.ReleaseAsync(sale.Id, held.Id, alice)).Outcome);
        var later = await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = bob, Quantity = 3 });
        Assert.Equal(ReserveOutcome.Reserved, later.Outcome);
        Assert.Equal(ReserveOutcome.SoldOut, (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = alice })).Outcome);

        await h.Maintenance.DrainJournalAsync(sale.Id);
        Assert.Equal(
            [FlashSaleLifecycleKind.SoldOut, FlashSaleLifecycleKind.UnitsAvailable, FlashSaleLifecycleKind.SoldOut],
            recorder.Of(sale.Id).Where(k => k is FlashSaleLifecycleKind.SoldOut or FlashSaleLifecycleKind.UnitsAvailable));
        Assert.True((await h.Maintenance.ReconcileAsync(sale.Id)).IsConsistent);
    }

    [IntegrationFact(TestServer.RedisCluster | TestServer.Postgres)]
    public async Task AMoveItsMoverNeverFinished_IsUndone_SoEveryUnitStillSells()
    {
        var name = TestNames.Unique();
        await using var h = await SaleHarness.CreateAsync(cluster.ConnectionString, postgres.ConnectionString, name, o => o.RateLimitPermits = 0);
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 6, limit: 6) with { Buckets = 3 });
        var keys = h.Services.GetRequiredService<FlashSaleKeys>();
        var db = cluster.Connection.GetDatabase();

        // A mover took both units of bucket 1 for bucket 0, a minute ago, and died before giving them.
        var minuteAgo = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();
        Assert.Equal(2, (int)((RedisResult[])(await db.ScriptEvaluateAsync(FlashSaleScripts.Take, keys.For(sale.Id, 1, 3), [minuteAgo, "p1", 2, "dead-mover", 0]))!)[0]);
        var users = Enumerable.Range(0, 100).Select(i => $"u{i}").ToArray();
        var units = 0;
        foreach (var bucket in new[] { 0, 2 })
        {
            var user = users.First(u => SaleBuckets.Of(u, 3) == bucket);
            units += (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = user, Quantity = 2 })).Reservation!.Quantity;
        }

        // Units in transit are not "sold out": the shopper is asked to come back, never turned away.
        var waiting = await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = users.First(u => SaleBuckets.Of(u, 3) == 1) });
        Assert.Equal(ReserveOutcome.Recovering, waiting.Outcome);

        Assert.Equal(1, await h.Services.GetRequiredService<SplitStock>().ReclaimAsync(sale.Id, 3));
        var shopper = users.First(u => SaleBuckets.Of(u, 3) == 1);
        units += (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = shopper, Quantity = 2 })).Reservation!.Quantity;
        Assert.Equal(6, units);
        Assert.Equal(ReserveOutcome.SoldOut, (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = users[50] })).Outcome);

        // a give arriving after the undo is refused: moving never creates stock
        Assert.Equal("refused", (string?)await db.ScriptEvaluateAsync(FlashSaleScripts.Give, keys.For(sale.Id, 0, 3), ["p1", 2, "dead-mover", 1]));
        Assert.Equal(0, Assert.Single((await h.Sales.GetSaleAsync(sale.Id))!.Items).Available);
    }

    [IntegrationFact(TestServer.RedisCluster | TestServer.Postgres)]
    public async Task AMoveOverlappingARebuild_NeitherCreatesNorLosesUnits_AndAHalfLostMoveIsRepaired()
    {
        var name = TestNames.Unique();
        await using var h = await SaleHarness.CreateAsync(cluster.ConnectionString, postgres.ConnectionString, name, o => o.RateLimitPermits = 0);
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 6, limit: 6) with { Buckets = 3 });
        var keys = h.Services.GetRequiredService<FlashSaleKeys>();
        var db = cluster.Connection.GetDatabase();

        // A mover took 2 units from bucket 1 in the old state and stalled; the sale was rebuilt; then its give arrives.
        Assert.Equal(2, (int)((RedisResult[])(await db.ScriptEvaluateAsync(FlashSaleScripts.Take, keys.For(sale.Id, 1, 3), ["", "p1", 2, "stalled", 0]))!)[0]);
        Assert.True(await h.Maintenance.RebuildAsync(sale.Id, force: true));
        var given = (string?)await db.ScriptEvaluateAsync(FlashSaleScripts.Give, keys.For(sale.Id, 0, 3), ["p1", 2, "stalled", 1]);
        Assert.Equal("refused", given);
        await db.ScriptEvaluateAsync(FlashSaleScripts.Settle, keys.For(sale.Id, 1, 3), ["stalled", given]);

        var sold = 0;
        for (var i = 0; i < 20; i++)
        {
            var result = await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = $"u{i}" });
            sold += result.Outcome == ReserveOutcome.Reserved ? 1 : 0;
        }

        Assert.Equal(6, sold);
        Assert.Equal((6, 0), (Assert.Single((await h.Sales.GetSaleAsync(sale.Id))!.Items).Stock, Assert.Single((await h.Sales.GetSaleAsync(sale.Id))!.Items).Available));
        await h.Maintenance.DrainJournalAsync(sale.Id);
        Assert.True((await h.Maintenance.ReconcileAsync(sale.Id)).IsConsistent);

        // A failover lost the first half of a move (the sender kept its units, the receiver got them): reconciliation
        // reports the units the buckets hold between them against the stock, and the health check rebuilds the sale.
        await db.HashIncrementAsync(keys.For(sale.Id, 2, 3)[1], "p1|stock", 2);
        var report = await h.Maintenance.ReconcileAsync(sale.Id);
        var difference = Assert.Single(report.Differences);
        Assert.Equal(("item:p1", "stock across buckets", "8", "6"), (difference.Subject, difference.Field, difference.Redis, difference.Postgres));

        await h.Services.GetRequiredService<SaleRecovery>().CheckAsync(sale.Id, default);
        await Eventually.TrueAsync(() => WhileRebuiltAsync(async () =>
            (await h.Maintenance.ReconcileAsync(sale.Id)).IsConsistent && await h.Sales.GetSaleAsync(sale.Id) is not null));
        for (var i = 20; i < 40; i++)
        {
            Assert.NotEqual(ReserveOutcome.Reserved, (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = $"u{i}" })).Outcome);
        }
    }

    [IntegrationFact(TestServer.RedisCluster | TestServer.Postgres)]
    public async Task AUnitsBackRecordLostWithItsProcess_IsRecordedByTheWorker_SoTheItemDoesNotStaySoldOut()
    {
        var name = TestNames.Unique();
        var recorder = new LifecycleEventTests.LifecycleRecorder();
        await using var h = await SaleHarness.CreateAsync(cluster.ConnectionString, postgres.ConnectionString, name, o =>
        {
            o.RateLimitPermits = 0;
            o.RunBackgroundWorkers = true;
            o.JournalPollInterval = TimeSpan.FromMilliseconds(50);
        }, s => s.AddSingleton<IFlashSaleLifecycleSubscriber>(recorder));
        await h.StartAsync();
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 2, limit: 2) with { Buckets = 3 });
        var users = Enumerable.Range(0, 100).Select(i => $"u{i}").ToArray();
        var alice = users.First(u => SaleBuckets.Of(u, 3) == 1);
        var held = (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = alice, Quantity = 2 })).Reservation!;
        Assert.Equal(ReserveOutcome.SoldOut, (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = users[7] })).Outcome);

        // The release reached Redis, then its process died before recording the units back on bucket 0.
        var keys = h.Services.GetRequiredService<FlashSaleKeys>();
        var db = cluster.Connection.GetDatabase();
        var released = await db.ScriptEvaluateAsync(FlashSaleScripts.Change, keys.For(sale.Id, 1, 3), ["", held.Id, alice, "released"]);
        Assert.Equal("released", (string?)((RedisResult[])released!)[0]);

        await Eventually.TrueAsync(() => recorder.Of(sale.Id).Contains(FlashSaleLifecycleKind.UnitsAvailable), TimeSpan.FromSeconds(30));
        Assert.Equal([FlashSaleLifecycleKind.SoldOut, FlashSaleLifecycleKind.UnitsAvailable], recorder.Of(sale.Id).Where(k => k != FlashSaleLifecycleKind.Started));
        await h.StopAsync();
    }

    [IntegrationFact(TestServer.RedisCluster | TestServer.Postgres)]
    public async Task ASplitSaleWhoseBucketWasLost_IsRebuiltFromPostgres_WithEveryHoldAndNoExtraStock()
    {
        var name = TestNames.Unique();
        await using var h = await SaleHarness.CreateAsync(cluster.ConnectionString, postgres.ConnectionString, name, o => o.RateLimitPermits = 0);
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 30, limit: 2) with { Buckets = 3 });
        var held = new List<Reservation>();
        for (var i = 0; i < 10; i++)
        {
            held.Add((await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = $"u{i}", Quantity = 2 })).Reservation!);
        }

        Assert.Equal(ReservationOutcome.Confirmed, (await h.Sales.ConfirmAsync(sale.Id, held[0].Id, held[0].UserId)).Outcome);
        await h.Maintenance.DrainJournalAsync(sale.Id);

        // the primary of bucket 2 lost its data
        var keys = h.Services.GetRequiredService<FlashSaleKeys>();
        var db = cluster.Connection.GetDatabase();
        foreach (var key in keys.For(sale.Id, 2, 3))
        {
            await db.KeyDeleteAsync(key);
        }

        await h.Services.GetRequiredService<SaleRecovery>().CheckAsync(sale.Id, default);
        // a shopper of the lost bucket is served once it is rebuilt; bucket 0 is rebuilt last: once it answers, all are
        var late = Enumerable.Range(0, 100).Select(i => $"late-{i}").First(u => SaleBuckets.Of(u, 3) == 2);
        await Eventually.TrueAsync(() => WhileRebuiltAsync(async () =>
            (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = late, ReservationId = "late" })).Outcome == ReserveOutcome.Reserved
            && await h.Sales.GetSaleAsync(sale.Id) is not null));

        foreach (var r in held)
        {
            Assert.NotNull(await h.Sales.GetReservationAsync(sale.Id, r.Id, r.UserId));
        }

        var sold = 21; // 10 holds of 2, and the late shopper's unit
        for (var i = 1; sold < 40; i++)
        {
            var result = await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = $"later-{i}" });
            if (result.Outcome == ReserveOutcome.SoldOut)
            {
                break;
            }

            Assert.Equal(ReserveOutcome.Reserved, result.Outcome);
            sold++;
        }

        Assert.Equal(30, sold);
        await h.Maintenance.DrainJournalAsync(sale.Id);
        Assert.True((await h.Maintenance.ReconcileAsync(sale.Id)).IsConsistent);
    }

    [IntegrationFact(TestServer.RedisCluster | TestServer.Postgres)]
    public async Task AReserveThatMovesUnits_CountsOnceAgainstTheRateLimit_WhichTheMiddlewareLimiterShares_AndAProductNamedLikeALedgerFieldIsFine()
    {
        var name = TestNames.Unique();
        await using var h = await SaleHarness.CreateAsync(cluster.ConnectionString, postgres.ConnectionString, name, o =>
        {
            o.RateLimitPermits = 2;
            o.RateLimitPeriod = TimeSpan.FromMinutes(1);
        });
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 3, limit: 3, product: "t") with { Buckets = 3 });
        var user = Enumerable.Range(0, 100).Select(i => $"u{i}").First(u => SaleBuckets.Of(u, 3) == 0);

        Assert.Equal(ReserveOutcome.Reserved, (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "t", UserId = user })).Outcome);
        // the shopper's bucket is now dry: this one request moves units and asks again, yet spends one permit
        Assert.Equal(ReserveOutcome.Reserved, (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "t", UserId = user })).Outcome);
        Assert.Equal(ReserveOutcome.RateLimited, (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "t", UserId = user })).Outcome);

        // the ASP.NET Core limiter shares the shopper's budget with their reserves, in their bucket
        var other = Enumerable.Range(0, 100).Select(i => $"v{i}").First(u => SaleBuckets.Of(u, 3) == 2);
        using var limiter = h.RateLimiters.Create(sale.Id, other);
        Assert.True((await limiter.AcquireAsync(2)).IsAcquired);
        Assert.Equal(ReserveOutcome.RateLimited, (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "t", UserId = other })).Outcome);

        Assert.Equal(0, await h.Services.GetRequiredService<SplitStock>().ReclaimAsync(sale.Id, 3));
        await h.Maintenance.DrainJournalAsync(sale.Id);
        Assert.True((await h.Maintenance.ReconcileAsync(sale.Id)).IsConsistent);
    }

    [IntegrationFact(TestServer.RedisCluster | TestServer.Postgres)]
    public async Task ABucketCount_IsFixedAtCreation_AndOutOfRangeIsRefused()
    {
        var name = TestNames.Unique();
        await using var h = await SaleHarness.CreateAsync(cluster.ConnectionString, postgres.ConnectionString, name);
        var refused = await Assert.ThrowsAsync<FlashSaleDefinitionException>(() => h.Sales.CreateSaleAsync(SaleHarness.Definition() with { Buckets = 17 }));
        Assert.Contains("buckets", refused.Errors.Keys);
        var definition = SaleHarness.Definition(startsIn: TimeSpan.FromHours(1)) with { Buckets = 2 };
        var sale = await h.Sales.CreateSaleAsync(definition);
        await Assert.ThrowsAsync<FlashSaleDefinitionException>(() => h.Sales.UpdateSaleAsync(sale.Id, definition with { Buckets = 3 }));
        Assert.Equal(SaleChangeOutcome.Done, await h.Sales.UpdateSaleAsync(sale.Id, definition with { Name = "Renamed", Items = [new FlashSaleItemDefinition("p1", 7, 1m, 2)] }));
        Assert.Equal(7, Assert.Single((await h.Sales.GetSaleAsync(sale.Id))!.Items).Available);
    }

    [IntegrationFact(TestServer.RedisCluster | TestServer.Postgres)]
    public async Task AnUpdateOrCancelRefusedByOneBucket_LeavesEveryBucketAsItWas()
    {
        var name = TestNames.Unique();
        await using var h = await SaleHarness.CreateAsync(cluster.ConnectionString, postgres.ConnectionString, name, o => o.RateLimitPermits = 0);
        var definition = SaleHarness.Definition(stock: 9, startsIn: TimeSpan.FromHours(1)) with { Buckets = 3 };
        var sale = await h.Sales.CreateSaleAsync(definition);
        var keys = h.Services.GetRequiredService<FlashSaleKeys>();
        var db = cluster.Connection.GetDatabase();

        // bucket 1 holds a unit (as if a hold slipped in): it refuses the update after bucket 0 took it
        await db.HashSetAsync(keys.For(sale.Id, 1, 3)[1], "p1|reserved", 1);
        Assert.Equal(SaleChangeOutcome.AlreadyStarted, await h.Sales.UpdateSaleAsync(sale.Id, definition with { Items = [new FlashSaleItemDefinition("p1", 30, 9.99m, 2)] }));
        Assert.Equal(["3", "9"], (await db.HashGetAsync(keys.For(sale.Id)[1], ["p1|stock", "p1|total"])).Select(v => (string)v!));
        await db.HashSetAsync(keys.For(sale.Id, 1, 3)[1], "p1|reserved", 0);

        // bucket 0 is being recovered: the cancel is refused there, and no other bucket is cancelled alone
        await db.HashSetAsync(keys.For(sale.Id)[0], "recovering", "1");
        Assert.Equal(SaleChangeOutcome.Recovering, await h.Sales.CancelSaleAsync(sale.Id));
        foreach (var bucket in new[] { 1, 2 })
        {
            Assert.Equal("0", (string?)await db.HashGetAsync(keys.For(sale.Id, bucket, 3)[0], "cancelled"));
        }
    }

    /// <summary>A condition polled while a sale is rebuilt: "being recovered" counts as not yet.</summary>
    private static async Task<bool> WhileRebuiltAsync(Func<Task<bool>> condition)
    {
        try
        {
            return await condition();
        }
        catch (FlashSaleUnavailableException)
        {
            return false;
        }
    }
}
