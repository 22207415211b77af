using System.Threading.RateLimiting;

namespace Commerce.FlashSale.Tests;

/// <summary>The per-user rate limit lives in Redis, so every instance and every limiter object shares one budget.</summary>
public sealed class RateLimitTests(RedisFixture redis, PostgresFixture postgres) : IClassFixture<RedisFixture>, IClassFixture<PostgresFixture>
{
    private async Task<(SaleHarness A, SaleHarness B)> TwoInstancesAsync()
    {
        var name = TestNames.Unique();
        var a = await SaleHarness.CreateAsync(redis.ConnectionString, postgres.ConnectionString, name);
        var b = await SaleHarness.CreateAsync(redis.ConnectionString, postgres.ConnectionString, name);
        return (a, b);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Reserve_SixthAttemptInAMinute_IsRateLimited_AcrossInstances()
    {
        var (a, b) = await TwoInstancesAsync();
        await using var _ = a;
        await using var __ = b;
        var sale = await a.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 100, limit: 100));

        var outcomes = new List<ReserveResult>();
        for (var i = 0; i < 5; i++)
        {
            outcomes.Add(await (i % 2 == 0 ? a : b).Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "bot" }));
        }

        var sixth = await b.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "bot" });
        var otherUser = await a.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "human" });

        Assert.All(outcomes, o => Assert.Equal(ReserveOutcome.Reserved, o.Outcome));
        Assert.Equal(ReserveOutcome.RateLimited, sixth.Outcome);
        Assert.InRange(sixth.RetryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(12)); // 5/min: one more every 12 s
        Assert.Equal(ReserveOutcome.Reserved, otherUser.Outcome);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Reserve_RetriesOfOneReservation_DoNotSpendTheBudget()
    {
        var (a, b) = await TwoInstancesAsync();
        await using var _ = a;
        await using var __ = b;
        var sale = await a.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 100, limit: 100));

        for (var i = 0; i < 10; i++)
        {
            var retry = await a.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "u", ReservationId = "same" });
            Assert.Equal(ReserveOutcome.Reserved, retry.Outcome);
        }
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task RateLimiter_TwoLimiterInstancesOnTwoConnections_ShareOneBudget()
    {
        var (a, b) = await TwoInstancesAsync();
        await using var _ = a;
        await using var __ = b;
        var sale = Guid.NewGuid();
        using var limiterA = a.RateLimiters.Create(sale, "user-1");
        using var limiterB = b.RateLimiters.Create(sale, "user-1");

        var leases = new List<RateLimitLease>
        {
            await limiterA.AcquireAsync(),
            await limiterB.AcquireAsync(),
            await limiterA.AcquireAsync(),
            await limiterB.AcquireAsync(2),
        };
        using var denied = await limiterA.AcquireAsync();

        Assert.All(leases, l => Assert.True(l.IsAcquired));
        Assert.False(denied.IsAcquired);
        Assert.True(denied.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(12));
        foreach (var lease in leases)
        {
            lease.Dispose();
        }
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task RateLimiter_PlugsIntoAPartitionedLimiter_AsTheMiddlewareUsesIt()
    {
        var (a, b) = await TwoInstancesAsync();
        await using var _ = a;
        await using var __ = b;
        var sale = Guid.NewGuid();
        using var partitioned = PartitionedRateLimiter.Create<string, string>(user => a.RateLimiters.Partition(user, sale, user));

        var alice = new List<bool>();
        for (var i = 0; i < 6; i++)
        {
            using var lease = await partitioned.AcquireAsync("alice");
            alice.Add(lease.IsAcquired);
        }

        using var bob = await partitioned.AcquireAsync("bob");
        Assert.Equal([true, true, true, true, true, false], alice);
        Assert.True(bob.IsAcquired);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task RateLimiter_AndReserve_CountAgainstTheSameBudget()
    {
        var (a, b) = await TwoInstancesAsync();
        await using var _ = a;
        await using var __ = b;
        var sale = await a.Sales.CreateSaleAsync(SaleHarness.Definition(stock: 100, limit: 100));
        using var limiter = b.RateLimiters.Create(sale.Id, "u");
        using (var lease = await limiter.AcquireAsync(4))
        {
            Assert.True(lease.IsAcquired);
        }

        Assert.Equal(ReserveOutcome.Reserved, (await a.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "u" })).Outcome);
        Assert.Equal(ReserveOutcome.RateLimited, (await a.Sales.ReserveAsync(new ReserveRequest { SaleId = sale.Id, ProductId = "p1", UserId = "u" })).Outcome);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task RateLimitState_OfASaleThatDoesNotExist_ExpiresAfterItsPeriod()
    {
        var name = TestNames.Unique();
        await using var h = await SaleHarness.CreateAsync(redis.ConnectionString, postgres.ConnectionString, name, o => o.RateLimitPeriod = TimeSpan.FromMinutes(1));
        var sale = Guid.NewGuid();
        using var limiter = h.RateLimiters.Create(sale, "u");
        using (await limiter.AcquireAsync())
        {
        }

        var ttl = await redis.Database.KeyTimeToLiveAsync($"test:fs:{name}:{{{sale:N}}}:rate");
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task RateLimiter_MorePermitsThanTheLimitAtOnce_IsAnArgumentError()
    {
        await using var h = await SaleHarness.CreateAsync(redis.ConnectionString, postgres.ConnectionString, TestNames.Unique(), o => o.RateLimitPermits = 5);
        using var limiter = h.RateLimiters.Create(Guid.NewGuid(), "u");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await limiter.AcquireAsync(6));
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AttemptAcquire(6));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task RateLimiter_SynchronousAttempt_NeverBlocksAThreadOnRedis()
    {
        await using var proxy = TcpChaosProxy.Start(redis.EndPoint);
        await using var h = await SaleHarness.CreateAsync($"{proxy.EndPoint},syncTimeout=30000,asyncTimeout=30000", postgres.ConnectionString, TestNames.Unique());
        using var limiter = h.RateLimiters.Create(Guid.NewGuid(), "u");
        using (var warm = await limiter.AcquireAsync())
        {
            Assert.True(warm.IsAcquired);
        }

        proxy.Hang(); // Redis answers nothing for 30 s
        var attempt = Task.Run(() => limiter.AttemptAcquire());

        using var lease = await attempt.WaitAsync(TimeSpan.FromSeconds(10)); // the guard only stops a hung test
        Assert.False(lease.IsAcquired); // undecided without Redis: the middleware goes on to AcquireAsync
        proxy.Restore();
    }
}
