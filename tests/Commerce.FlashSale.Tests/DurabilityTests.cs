using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StackExchange.Redis;

namespace Commerce.FlashSale.Tests;

/// <summary>PostgreSQL converging on Redis through the journal, its constraint, rebuild, reconciliation and events.</summary>
public sealed class DurabilityTests(RedisFixture redis, PostgresFixture postgres) : IClassFixture<RedisFixture>, IClassFixture<PostgresFixture>
{
    private Task<SaleHarness> InstanceAsync(string name, Action<IServiceCollection>? services = null, Action<FlashSaleOptions>? configure = null) =>
        SaleHarness.CreateAsync(redis.ConnectionString, postgres.ConnectionString, name, o =>
        {
            o.RateLimitPermits = 0;
            o.JournalBatchSize = 37; // several batches per drain
            configure?.Invoke(o);
        }, services);

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task AUnitReleasedAndBoughtAgainBeforeTheJournalIsDrained_IsConfirmed_AndTheSaleKeepsSelling()
    {
        var name = TestNames.Unique();
        await using var h = await InstanceAsync(name, configure: o => o.RunBackgroundWorkers = false);   // the drain comes when the test says
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 1, limit: 1));
        var alice = await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice" });
        await h.Maintenance.DrainJournalAsync(sale.Id);   // PostgreSQL holds alice's unit
        Assert.Equal(ReservationOutcome.Released, (await h.Sales.ReleaseAsync(sale.Id, alice.Reservation!.Id, "alice")).Outcome);

        // bob buys the unit alice gave back, before her release reaches PostgreSQL
        var bob = await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "bob" });
        Assert.Equal(ReserveOutcome.Reserved, bob.Outcome);
        Assert.Equal(ReservationOutcome.Confirmed, (await h.Sales.ConfirmAsync(sale.Id, bob.Reservation!.Id, "bob")).Outcome);

        await h.Maintenance.DrainJournalAsync(sale.Id);
        var item = Assert.Single((await h.Sales.GetSaleAsync(sale.Id))!.Items);
        Assert.Equal((1, 0), (item.Confirmed, item.Reserved));
        Assert.True((await h.Maintenance.ReconcileAsync(sale.Id)).IsConsistent);
    }

    /// <summary>Mixed traffic: reserves, confirms, releases and expiries on three products.</summary>
    private static async Task<Guid> TrafficAsync(SaleHarness h, int users = 60)
    {
        var definition = SaleHarness.Definition() with
        {
            Items = [new("p1", 40, 10m, 3), new("p2", 25, 20m, 2), new("p3", 10, 5m, 1)],
        };
        var sale = await h.Sales.CreateSaleAsync(definition);
        var random = new Random(42);
        var results = await Task.WhenAll(Enumerable.Range(0, users * 3).Select(i => h.Sales.ReserveAsync(new ReserveRequest
        {
            SaleId = sale.Id,
            ProductId = $"p{1 + (i % 3)}",
            UserId = $"u{i % users}",
            Quantity = 1 + random.Next(2),
        })));
        var held = results.Where(r => r.Outcome == ReserveOutcome.Reserved).Select(r => r.Reservation!).ToArray();
        await Task.WhenAll(held.Select((r, i) => (i % 3) switch
        {
            0 => h.Sales.ConfirmAsync(sale.Id, r.Id, r.UserId),
            1 => h.Sales.ReleaseAsync(sale.Id, r.Id, r.UserId),
            _ => Task.FromResult<ReservationResult>(null!),
        }));
        return sale.Id;
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Journal_DrainedIntoPostgres_EqualsRedis()
    {
        await using var h = await InstanceAsync(TestNames.Unique(), configure: o => o.HoldDuration = TimeSpan.FromMilliseconds(300));
        var sale = await TrafficAsync(h);
        await Task.Delay(400);
        Assert.True(await h.Maintenance.SweepExpiredAsync(sale) > 0); // the rest expire

        var persisted = await h.Maintenance.DrainJournalAsync(sale);
        var report = await h.Maintenance.ReconcileAsync(sale);

        Assert.True(persisted > 0);
        Assert.Equal(0, report.PendingJournalEntries);
        Assert.True(report.IsConsistent, string.Join("; ", report.Differences));
        Assert.Equal(0, await h.Maintenance.DrainJournalAsync(sale)); // nothing left, nothing twice
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Journal_ReplayedAfterACrashBetweenCommitAndDelete_ChangesNothing()
    {
        var name = TestNames.Unique();
        await using var h = await InstanceAsync(name);
        var sale = await TrafficAsync(h, users: 20);
        var journal = (RedisKey)$"test:fs:{name}:{{{sale:N}}}:journal";
        var entries = await redis.Database.StreamRangeAsync(journal);

        await h.Maintenance.DrainJournalAsync(sale);
        // put every entry back, as if the drainer died after committing but before deleting
        foreach (var entry in entries)
        {
            await redis.Database.StreamAddAsync(journal, entry.Values);
        }

        await h.Maintenance.DrainJournalAsync(sale);
        Assert.True((await h.Maintenance.ReconcileAsync(sale)).IsConsistent);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Postgres_RejectsConfirmedUnitsAboveStock()
    {
        var name = TestNames.Unique();
        await using var h = await InstanceAsync(name);
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 5));

        await using var command = postgres.DataSource.CreateCommand($"update \"{name}\".sale_items set confirmed_units = 6 where sale_id = @id");
        command.Parameters.AddWithValue("id", sale.Id);
        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
        Assert.Equal("confirmed_within_stock", error.ConstraintName);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Rebuild_AfterRedisLostTheSale_RestoresStockHoldsAndLimits()
    {
        var name = TestNames.Unique();
        await using var h = await InstanceAsync(name);
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 10, limit: 2));
        var a1 = (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice" })).Reservation!;
        await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice" });
        var b1 = (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "bob" })).Reservation!;
        await h.Sales.ConfirmAsync(sale.Id, b1.Id, "bob");
        await h.Maintenance.DrainJournalAsync(sale.Id);
        var before = await h.Sales.GetSaleAsync(sale.Id);

        Assert.False(await h.Maintenance.RebuildAsync(sale.Id)); // Redis still has it: refused without force
        var server = redis.Connection.GetServers()[0];
        await foreach (var key in server.KeysAsync(pattern: $"test:fs:{name}:{{{sale.Id:N}}}:*"))
        {
            await redis.Database.KeyDeleteAsync(key); // Redis lost the sale
        }

        Assert.False(await redis.Database.KeyExistsAsync($"test:fs:{name}:{{{sale.Id:N}}}:sale"));
        Assert.True(await h.Maintenance.RebuildAsync(sale.Id));

        var after = await h.Sales.GetSaleAsync(sale.Id);
        Assert.Equal(before!.Items, after!.Items);
        Assert.Equal(ReserveOutcome.LimitExceeded, (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice" })).Outcome);
        Assert.Equal(ReservationOutcome.Confirmed, (await h.Sales.ConfirmAsync(sale.Id, a1.Id, "alice")).Outcome);
        Assert.Equal(ReservationOutcome.AlreadyConfirmed, (await h.Sales.ConfirmAsync(sale.Id, b1.Id, "bob")).Outcome);
        await h.Maintenance.DrainJournalAsync(sale.Id);
        Assert.True((await h.Maintenance.ReconcileAsync(sale.Id)).IsConsistent);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Reconcile_ReportsWhereRedisAndPostgresDisagree()
    {
        var name = TestNames.Unique();
        await using var h = await InstanceAsync(name);
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 10));
        await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice", ReservationId = "r1" });

        var pending = await h.Maintenance.ReconcileAsync(sale.Id);
        Assert.Equal(1, pending.PendingJournalEntries);
        Assert.Contains(pending.Differences, d => d.Subject == "reservation:alice|r1" && d.Field == "missing");

        await h.Maintenance.DrainJournalAsync(sale.Id);
        await redis.Database.HashIncrementAsync($"test:fs:{name}:{{{sale.Id:N}}}:items", "p1|confirmed", 1);

        var tampered = await h.Maintenance.ReconcileAsync(sale.Id);
        var difference = Assert.Single(tampered.Differences);
        Assert.Equal(new ReconciliationDifference("item:p1", "confirmed", "1", "0"), difference);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Events_ReachSubscribersAfterPersisting_InJournalOrder()
    {
        var recorder = new RecordingSubscriber();
        await using var h = await InstanceAsync(TestNames.Unique(), s => s.AddSingleton(recorder).AddSingleton<IFlashSaleEventSubscriber>(recorder));
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 10));
        var r = (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice" })).Reservation!;
        await h.Sales.ConfirmAsync(sale.Id, r.Id, "alice");
        Assert.Empty(recorder.Events); // not before they are in PostgreSQL

        await h.Maintenance.DrainJournalAsync(sale.Id);

        Assert.Equal(
            [(ReservationState.Reserved, 1), (ReservationState.Confirmed, 2)],
            recorder.Events.Select(e => (e.State, e.Version)));
        Assert.All(recorder.Events, e => Assert.Equal(("shop-1", r.Id, "alice", 1), (e.ShopId, e.ReservationId, e.UserId, e.Quantity)));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Events_SubscriberFails_TheEntriesAreDeliveredAgain()
    {
        var recorder = new RecordingSubscriber { FailNext = 1 };
        await using var h = await InstanceAsync(TestNames.Unique(), s => s.AddSingleton<IFlashSaleEventSubscriber>(recorder));
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 10));
        await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice" });

        Assert.Equal(0, await h.Maintenance.DrainJournalAsync(sale.Id));
        Assert.Empty(recorder.Events);
        Assert.Equal(1, await h.Maintenance.DrainJournalAsync(sale.Id));

        Assert.Equal(ReservationState.Reserved, Assert.Single(recorder.Events).State);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task AForcedRebuildWhileASubscriberFails_KeepsEveryHold_AndDeliversEveryEventLater()
    {
        var recorder = new RecordingSubscriber { FailNext = 1 };
        await using var h = await InstanceAsync(TestNames.Unique(), s => s.AddSingleton<IFlashSaleEventSubscriber>(recorder));
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 100, limit: 1));
        var holds = new List<Reservation>();
        for (var i = 0; i < 60; i++)   // two journal batches of 37
        {
            var reserved = await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = $"u{i}" });
            Assert.Equal(ReserveOutcome.Reserved, reserved.Outcome);
            holds.Add(reserved.Reservation!);
        }

        // The rebuild drains what Redis holds first; the subscriber fails on the first batch's events.
        Assert.True(await h.Maintenance.RebuildAsync(sale.Id, force: true));

        foreach (var hold in holds)
        {
            Assert.Equal(ReservationOutcome.Confirmed, (await h.Sales.ConfirmAsync(sale.Id, hold.Id, hold.UserId)).Outcome);
        }

        await Eventually.TrueAsync(async () =>
        {
            await h.Maintenance.DrainJournalAsync(sale.Id);
            return recorder.Events.Where(e => e.State == ReservationState.Reserved).Select(e => e.ReservationId).Distinct().Count() == 60;
        }, because: "every hold's event reaches the subscriber once it works again");
        Assert.True((await h.Maintenance.ReconcileAsync(sale.Id)).IsConsistent);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task BackgroundWorkers_ExpireHoldsAndDrainTheJournal_OnTheirOwn()
    {
        var recorder = new RecordingSubscriber();
        await using var h = await InstanceAsync(TestNames.Unique(), s => s.AddSingleton<IFlashSaleEventSubscriber>(recorder), o =>
        {
            o.HoldDuration = TimeSpan.FromMilliseconds(200);
            o.SweepInterval = TimeSpan.FromMilliseconds(50);
            o.JournalPollInterval = TimeSpan.FromMilliseconds(50);
        });
        var hosted = h.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().ToArray();
        var options = h.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<FlashSaleOptions>>().Value;
        options.RunBackgroundWorkers = true;
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 1));
        await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice" });

        await Eventually.TrueAsync(() => recorder.Events.Any(e => e.State == ReservationState.Expired));
        Assert.Equal(1, Assert.Single((await h.Sales.GetSaleAsync(sale.Id))!.Items).Available);
        foreach (var service in hosted)
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Migrations_FromSeveralInstancesAtOnce_ApplyOnce()
    {
        var name = TestNames.Unique();
        var instances = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => InstanceAsync(name)));
        await Task.WhenAll(instances.Select(i => i.Maintenance.MigrateAsync()));

        await using var command = postgres.DataSource.CreateCommand($"select count(*), count(distinct version) from \"{name}\".schema_migrations");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(4L, reader.GetInt64(0)); // every migration, each once
        Assert.Equal(4L, reader.GetInt64(1));
        foreach (var instance in instances)
        {
            await instance.DisposeAsync();
        }
    }

    public sealed class RecordingSubscriber : IFlashSaleEventSubscriber
    {
        private readonly ConcurrentQueue<FlashSaleEvent> _events = new();

        public int FailNext { get; set; }

        public IReadOnlyList<FlashSaleEvent> Events => _events.ToArray();

        public ValueTask HandleAsync(FlashSaleEvent saleEvent, CancellationToken cancellationToken)
        {
            if (FailNext > 0)
            {
                FailNext--;
                throw new InvalidOperationException("subscriber down");
            }

            _events.Enqueue(saleEvent);
            return ValueTask.CompletedTask;
        }
    }
}
