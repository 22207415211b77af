using System.Collections.Concurrent;
using Commerce.FlashSale.Internal;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Commerce.FlashSale.Tests;

/// <summary>
/// "Never oversold" and "still selling" when Redis loses data or goes back, on a Redis server the test owns, two
/// instances and real PostgreSQL: confirmations are durable before they are acknowledged, and a lost sale is rebuilt
/// by itself, fenced against drains of the state it replaces.
/// </summary>
public sealed class RecoveryTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static void Fast(FlashSaleOptions o)
    {
        o.RateLimitPermits = 0;
        o.JournalPollInterval = TimeSpan.FromMilliseconds(50);
        o.SweepInterval = TimeSpan.FromMilliseconds(100);
        o.RunBackgroundWorkers = true;
    }

    private async Task<SaleHarness> InstanceAsync(string redis, string name, Action<FlashSaleOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var h = await SaleHarness.CreateAsync($"{redis},abortConnect=false,connectTimeout=2000", postgres.ConnectionString, name, o =>
        {
            Fast(o);
            configure?.Invoke(o);
        }, services);
        await h.StartAsync();
        return h;
    }

    private async Task<string?> StateInPostgresAsync(string schema, Guid sale, string user, string reservation)
    {
        await using var command = postgres.DataSource.CreateCommand($"select state from \"{schema}\".reservations where sale_id = @sale and user_id = @user and id = @id");
        command.Parameters.AddWithValue("sale", sale);
        command.Parameters.AddWithValue("user", user);
        command.Parameters.AddWithValue("id", reservation);
        return (string?)await command.ExecuteScalarAsync();
    }

    private async Task<int> ConfirmedInPostgresAsync(string schema, Guid sale)
    {
        await using var command = postgres.DataSource.CreateCommand($"select coalesce(sum(quantity), 0)::int from \"{schema}\".reservations where sale_id = @sale and state = 'confirmed'");
        command.Parameters.AddWithValue("sale", sale);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    [IntegrationFact(TestServer.OwnedRedis | TestServer.Postgres)]
    public async Task RedisEmptiedMidSale_WithConfirmationsInFlight_SaleResumesByItself_NeverOversold_EveryAcknowledgedConfirmationKept()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var name = TestNames.Unique();
        await using var a = await InstanceAsync(redis.EndPoint, name);
        await using var b = await InstanceAsync(redis.EndPoint, name);
        const int stock = 150;
        var sale = await a.Sales.CreateSaleAsync(SaleHarness.Definition(stock: stock, limit: 3));
        var acknowledged = new ConcurrentBag<(string User, string Id)>();
        var outcomes = new ConcurrentDictionary<ReserveOutcome, int>();
        var reservedAfterFlush = 0;
        var flushed = false;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var afterFlush = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task ShopperAsync(int n)
        {
            if (n >= 30)
            {
                await afterFlush.Task; // half the crowd arrives after Redis lost its data: there is demand left to serve
            }

            var random = new Random(n);
            for (var attempt = 0; attempt < 6 && !stop.IsCancellationRequested; attempt++)
            {
                var user = $"u{n}";
                var id = $"r{n}-{attempt}";
                var instance = random.Next(2) == 0 ? a : b;
                ReserveResult reserve;
                while (true)
                {
                    try
                    {
                        reserve = await instance.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = user, ReservationId = id });
                    }
                    catch (FlashSaleUnavailableException)
                    {
                        await Task.Delay(50);
                        continue;
                    }

                    outcomes.AddOrUpdate(reserve.Outcome, 1, (_, c) => c + 1);
                    if (reserve.Outcome != ReserveOutcome.Recovering)
                    {
                        break;
                    }

                    await Task.Delay(reserve.RetryAfter ?? TimeSpan.FromMilliseconds(100));
                }

                if (reserve.Outcome != ReserveOutcome.Reserved)
                {
                    continue;
                }

                if (Volatile.Read(ref flushed))
                {
                    Interlocked.Increment(ref reservedAfterFlush);
                }

                for (var tries = 0; tries < 50; tries++)
                {
                    try
                    {
                        var confirm = await (random.Next(2) == 0 ? a : b).Sales.ConfirmAsync(sale.Id, id, user);
                        if (confirm.Outcome is ReservationOutcome.Confirmed or ReservationOutcome.AlreadyConfirmed)
                        {
                            acknowledged.Add((user, id));
                        }

                        if (confirm.Outcome != ReservationOutcome.Recovering)
                        {
                            break;
                        }
                    }
                    catch (FlashSaleUnavailableException)
                    {
                    }

                    await Task.Delay(50);
                }
            }
        }

        var shoppers = Enumerable.Range(0, 60).Select(n => Task.Run(() => ShopperAsync(n))).ToArray();
        await Eventually.TrueAsync(() => acknowledged.Count >= 20);
        await redis.FlushAllAsync(); // Redis comes back empty mid-sale
        Volatile.Write(ref flushed, true);
        afterFlush.SetResult();
        await Task.WhenAll(shoppers);

        Assert.False(outcomes.ContainsKey(ReserveOutcome.NotFound), "a reserve was answered 'not found' after Redis lost the sale");
        Assert.True(reservedAfterFlush > 0, "the sale never sold again after Redis lost its data");
        foreach (var (user, id) in acknowledged)
        {
            Assert.Equal("confirmed", await StateInPostgresAsync(name, sale.Id, user, id));
        }

        var confirmed = await ConfirmedInPostgresAsync(name, sale.Id);
        Assert.InRange(confirmed, acknowledged.Count, stock);
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                var item = Assert.Single((await a.Sales.GetSaleAsync(sale.Id))!.Items);
                return item.Confirmed >= acknowledged.Count && item.Reserved + item.Confirmed <= stock;
            }
            catch (FlashSaleUnavailableException)
            {
                return false;
            }
        });
        await a.StopAsync();
        await b.StopAsync();
    }

    [IntegrationFact(TestServer.OwnedRedis | TestServer.Postgres)]
    public async Task RedisRestartedFromAnOlderSnapshot_IsDetectedAndRebuilt_SoConfirmedUnitsAreNeverSoldAgain()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var name = TestNames.Unique();
        await using var a = await InstanceAsync(redis.EndPoint, name, o => o.JournalLeaseDuration = TimeSpan.FromMinutes(10));
        var sale = await a.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 5, limit: 5));
        async Task BuyAsync(string user)
        {
            // As a client does with a 503: a transient Recovering answer (nothing reserved) is tried again.
            ReserveResult result = null!;
            await Eventually.TrueAsync(async () =>
                (result = await a.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = user, ReservationId = $"buy-{user}" })).Outcome != ReserveOutcome.Recovering,
                TimeSpan.FromSeconds(30));
            Assert.True(result.Outcome == ReserveOutcome.Reserved, $"{user}: {result.Outcome}");
            Assert.Equal(ReservationOutcome.Confirmed, (await a.Sales.ConfirmAsync(sale.Id, result.Reservation!.Id, user)).Outcome);
        }

        await BuyAsync("early-1");
        await BuyAsync("early-2");
        // The snapshot Redis will come back to, taken while a drainer held the sale's lease (for ten minutes).
        await Eventually.TrueAsync(async () => await a.Services.GetRequiredService<DrainLease>().TryAcquireAsync(sale.Id) is not null);
        await redis.SaveAsync();
        await BuyAsync("late-1");
        await BuyAsync("late-2");
        await BuyAsync("late-3"); // sold out: 5 of 5 confirmed, all durable in PostgreSQL

        await redis.KillAsync();
        await redis.StartAsync(); // back, with only the first two confirmations

        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return Assert.Single((await a.Sales.GetSaleAsync(sale.Id))!.Items).Confirmed == 5;
            }
            catch (FlashSaleUnavailableException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), because: "the stale state is noticed (its sequence is behind PostgreSQL's) and rebuilt");
        Assert.Equal(ReserveOutcome.SoldOut, (await a.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "after" })).Outcome);
        Assert.Equal(5, await ConfirmedInPostgresAsync(name, sale.Id));
        await a.StopAsync();
    }

    [IntegrationFact(TestServer.OwnedRedis | TestServer.Postgres)]
    public async Task CreatingASaleAgainAfterRedisLostIt_RestoresItsHoldsFromPostgres_NeverItsFullStockAgain()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var name = TestNames.Unique();
        // No background check: what is asserted is what the idempotent create itself leaves in Redis.
        await using var a = await InstanceAsync(redis.EndPoint, name, o => o.RunBackgroundWorkers = false);
        var definition = SaleHarness.Definition(stock: 3, limit: 1);
        var sale = await a.Sales.CreateSaleAsync(definition);
        var bought = await a.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "u1", ReservationId = "r1" });
        Assert.Equal(ReservationOutcome.Confirmed, (await a.Sales.ConfirmAsync(sale.Id, bought.Reservation!.Id, "u1")).Outcome);
        Assert.Equal(ReserveOutcome.Reserved, (await a.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "u2", ReservationId = "r2" })).Outcome);
        await a.Maintenance.DrainJournalAsync(sale.Id);   // u2's hold is in PostgreSQL too

        await redis.FlushAllAsync();   // Redis lost the sale; the application (a deploy script, say) creates it again
        var again = await a.Sales.CreateSaleAsync(definition);

        var item = Assert.Single(again.Items);
        Assert.Equal((1, 1), (item.Confirmed, item.Reserved));
        Assert.Equal(ReserveOutcome.LimitExceeded, (await a.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "u1", ReservationId = "r3" })).Outcome);
        Assert.Equal(ReserveOutcome.Reserved, (await a.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "u3", ReservationId = "r4" })).Outcome);
        Assert.Equal(ReserveOutcome.SoldOut, (await a.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "u4", ReservationId = "r5" })).Outcome);
        await a.StopAsync();
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task AcknowledgedConfirmation_IsInPostgresBeforeTheCallReturns()
    {
        var name = TestNames.Unique();
        await using var h = await SaleHarness.CreateAsync(TestEnvironment.Redis!, postgres.ConnectionString, name, o => o.RateLimitPermits = 0);
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition());
        var held = (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice" })).Reservation!;

        Assert.Equal(ReservationOutcome.Confirmed, (await h.Sales.ConfirmAsync(sale.Id, held.Id, "alice")).Outcome);

        // No drain has run: the confirm call itself wrote it.
        Assert.Equal("confirmed", await StateInPostgresAsync(name, sale.Id, "alice", held.Id));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task ConfirmWhilePostgresIsDown_IsNotAcknowledged_AndTheSameCallLaterIs()
    {
        var name = TestNames.Unique();
        var pg = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
        await using var proxy = TcpChaosProxy.Start($"{pg.Host}:{pg.Port}");
        var throughProxy = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 3, Pooling = false }.ConnectionString;
        await using var h = await SaleHarness.CreateAsync(TestEnvironment.Redis!, throughProxy, name, o => o.RateLimitPermits = 0);
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition());
        var held = (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice" })).Reservation!;

        proxy.Refuse();
        var error = await Assert.ThrowsAsync<FlashSaleUnavailableException>(() => h.Sales.ConfirmAsync(sale.Id, held.Id, "alice"));
        Assert.True(error.MayHaveApplied);
        Assert.Equal(held.Id, error.ReservationId);

        proxy.Restore();
        Assert.Equal(ReservationOutcome.AlreadyConfirmed, (await h.Sales.ConfirmAsync(sale.Id, held.Id, "alice")).Outcome);
        Assert.Equal("confirmed", await StateInPostgresAsync(name, sale.Id, "alice", held.Id));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task DrainerOfAStateBeingRebuilt_IsRefusedByPostgres()
    {
        var name = TestNames.Unique();
        await using var h = await SaleHarness.CreateAsync(TestEnvironment.Redis!, postgres.ConnectionString, name, o => o.RateLimitPermits = 0);
        var sale = await h.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 10, limit: 10));
        var held = (await h.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "alice" })).Reservation!;
        var staleChange = new ReservationChange(default, 99, held.Id, ReservationState.Released, 2, "alice", "p1", 1, held.CreatedAt, held.ExpiresAt, DateTimeOffset.UtcNow);

        // A drainer read epoch 1's entries, then stalled; meanwhile the sale is rebuilt (epoch 2).
        Assert.True(await h.Maintenance.RebuildAsync(sale.Id, force: true));
        var store = h.Services.GetRequiredService<PostgresReservationStore>();

        Assert.Equal(FenceOutcome.Fenced, await store.ApplyAsync(sale.Id, bucket: 0, epoch: 1, [staleChange], 99, default));
        Assert.Equal("reserved", await StateInPostgresAsync(name, sale.Id, "alice", held.Id)); // the stale write did not land
        Assert.Equal(ReservationOutcome.Confirmed, (await h.Sales.ConfirmAsync(sale.Id, held.Id, "alice")).Outcome);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task DrainsAndRebuildsRacingDuringTraffic_NeverLoseAConfirmation_AndEndConsistent()
    {
        var name = TestNames.Unique();
        await using var a = await SaleHarness.CreateAsync(TestEnvironment.Redis!, postgres.ConnectionString, name, o => o.RateLimitPermits = 0);
        await using var b = await SaleHarness.CreateAsync(TestEnvironment.Redis!, postgres.ConnectionString, name, o => o.RateLimitPermits = 0);
        const int stock = 80;
        var sale = await a.Sales.CreateSaleAsync(SaleHarness.Definition(stock: stock, limit: 2));
        var acknowledged = new ConcurrentBag<(string User, string Id)>();
        using var stop = new CancellationTokenSource();

        async Task TrafficAsync(int n)
        {
            for (var i = 0; i < 4; i++)
            {
                var (user, id) = ($"u{n}", $"r{i}");
                try
                {
                    var reserve = await (n % 2 == 0 ? a : b).Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = user, ReservationId = id });
                    if (reserve.Outcome == ReserveOutcome.Reserved
                        && (await (n % 2 == 0 ? b : a).Sales.ConfirmAsync(sale.Id, id, user)).Outcome is ReservationOutcome.Confirmed or ReservationOutcome.AlreadyConfirmed)
                    {
                        acknowledged.Add((user, id));
                    }
                }
                catch (FlashSaleUnavailableException)
                {
                    // transient while a rebuild runs
                }
            }
        }

        async Task MaintenanceAsync(SaleHarness h, bool rebuild)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    _ = rebuild ? await h.Maintenance.RebuildAsync(sale.Id, force: true) : await h.Maintenance.DrainJournalAsync(sale.Id) > 0;
                }
                catch (FlashSaleUnavailableException)
                {
                }

                await Task.Delay(5);
            }
        }

        var maintenance = new[] { MaintenanceAsync(a, rebuild: false), MaintenanceAsync(b, rebuild: true), MaintenanceAsync(a, rebuild: true) };
        await Task.WhenAll(Enumerable.Range(0, 60).Select(n => Task.Run(() => TrafficAsync(n))));
        await stop.CancelAsync();
        await Task.WhenAll(maintenance);
        await a.Maintenance.DrainJournalAsync(sale.Id);

        foreach (var (user, id) in acknowledged)
        {
            Assert.Equal("confirmed", await StateInPostgresAsync(name, sale.Id, user, id));
        }

        Assert.InRange(await ConfirmedInPostgresAsync(name, sale.Id), acknowledged.Count, stock);
        var report = await a.Maintenance.ReconcileAsync(sale.Id);
        Assert.True(report.IsConsistent, string.Join("; ", report.Differences));
    }
}
