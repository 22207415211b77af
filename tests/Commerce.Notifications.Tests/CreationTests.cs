using Commerce.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Npgsql;
using Xunit;

namespace Commerce.Notifications.Tests;

/// <summary>
/// Creating notifications: once per idempotency key across instances, inside an application's transaction, group-
/// committed with gapless sequences, and SMTP credentials never sent in the clear. Real Redis, PostgreSQL, Kestrel.
/// </summary>
public sealed class CreationTests(RedisFixture redis, PostgresFixture postgres) : IClassFixture<RedisFixture>, IClassFixture<PostgresFixture>
{
    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task SameIdempotencyKey_FromManyCallersOnTwoInstances_CreatesOneNotification_AndAllGetIt()
    {
        var schema = TestNames.Unique();
        await using var a = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        await using var b = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        await using var hub = await NotificationHost.ConnectHubAsync(b, "alice");
        var services = new[] { a, b }.Select(h => h.Services.GetRequiredService<INotificationService>()).ToArray();

        // "Order 1001 shipped", sent by a webhook handler that runs at least once: 40 times at once, from both instances.
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => services[i % 2].CreateAsync(new NotificationRequest
        {
            RecipientId = "alice",
            Type = "order_status",
            Title = "Order 1001 shipped",
            IdempotencyKey = "order-1001-shipped",
        }))));

        Assert.Single(results.Select(r => r.Id).Distinct());
        Assert.All(results, r => Assert.Equal(1, r.Sequence));
        var other = await services[0].CreateAsync(new NotificationRequest { RecipientId = "alice", Type = "t", Title = "another", IdempotencyKey = "order-1002-shipped" });
        Assert.Equal(2, other.Sequence);
        await Eventually.TrueAsync(() => hub.Notifications.Count == 2);
        await Task.Delay(300);
        Assert.Equal(new long[] { 1, 2 }, hub.Sequences);
        Assert.Equal(2, await services[1].GetUnreadCountAsync("alice"));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task SameIdempotencyKey_ForABulkJob_QueuesOneJob()
    {
        var schema = TestNames.Unique();
        await using var host = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        var service = host.Services.GetRequiredService<INotificationService>();
        var request = new BulkNotificationRequest { RecipientIds = ["a", "b", "c"], Type = "promo", Title = "Sale", IdempotencyKey = "promo-2026-12" };

        var jobs = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => service.EnqueueBulkAsync(request))));

        Assert.Single(jobs.Distinct());
        await Eventually.TrueAsync(async () => (await service.GetBulkStatusAsync(jobs[0]))!.Completed);
        Assert.Equal(1, await service.GetUnreadCountAsync("b"));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task CreatedInTheApplicationsTransaction_ExistsOnlyIfItCommits_AndReachesClientsOnEveryInstance()
    {
        var schema = TestNames.Unique();
        await using var a = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        await using var b = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        await using var hub = await NotificationHost.ConnectHubAsync(b, "alice");
        await using var sse = await SseRecorder.ConnectAsync(a.Address, "alice");
        var service = a.Services.GetRequiredService<INotificationService>();
        await using var data = NpgsqlDataSource.Create(postgres.ConnectionString);
        await using (var create = data.CreateCommand($"create table \"{schema}\".app_orders (id text primary key)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        async Task ShipAsync(string order, bool commit)
        {
            await using var connection = await data.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var insert = new NpgsqlCommand($"insert into \"{schema}\".app_orders values (@id)", connection, transaction))
            {
                insert.Parameters.AddWithValue("id", order);
                await insert.ExecuteNonQueryAsync();
            }

            await service.CreateAsync(new NotificationRequest { RecipientId = "alice", Type = "order_status", Title = $"{order} shipped" }, transaction);
            if (commit)
            {
                await transaction.CommitAsync();
            }
            else
            {
                await transaction.RollbackAsync();
            }
        }

        await ShipAsync("o-1", commit: false);
        await ShipAsync("o-2", commit: true);

        await Eventually.TrueAsync(() => hub.Notifications.Count == 1 && sse.Notifications.Count() == 1);
        Assert.Equal("o-2 shipped", Assert.Single(hub.Notifications).Title);
        Assert.Equal(1, Assert.Single(hub.Notifications).Sequence); // the rolled-back one took no sequence
        Assert.Equal("o-2 shipped", Assert.Single(sse.Notifications).Title);
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task ConcurrentCreations_AreGroupCommitted_WithGaplessSequencesPerRecipient()
    {
        var schema = TestNames.Unique();
        await using var host = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema,
            o => o.RunBackgroundWorker = false, // the e-mails stay queued, to be counted
            b => b.AddSmtpEmail(o => { o.Host = "127.0.0.1"; o.Port = 9; o.From = "noreply@shop.test"; }));
        var service = host.Services.GetRequiredService<INotificationService>();
        using var commits = new MetricCollector<int>(host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), CommerceNotificationsDiagnostics.MeterName, "commerce.notifications.store.commit.size");

        var created = await Task.WhenAll(Enumerable.Range(0, 600).Select(i => Task.Run(() => service.CreateAsync(new NotificationRequest
        {
            RecipientId = $"user-{i % 6}",
            Type = "t",
            Title = $"n{i}",
            Channels = i % 10 == 0 ? new Dictionary<string, string> { ["email"] = $"u{i}@example.test" } : null,
        }))));

        foreach (var recipient in created.GroupBy(n => n.RecipientId))
        {
            Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), recipient.Select(n => n.Sequence).Order());
            var stored = await service.GetSinceAsync(recipient.Key, 0, 1000);
            Assert.Equal(recipient.OrderBy(n => n.Sequence).Select(n => (n.Id, n.Title)), stored.Select(n => (n.Id, n.Title)));
            Assert.Equal(100, await service.GetUnreadCountAsync(recipient.Key));
        }

        await using var data = NpgsqlDataSource.Create(postgres.ConnectionString);
        await using var count = data.CreateCommand($"select count(*) from \"{schema}\".channel_deliveries");
        Assert.Equal(60L, await count.ExecuteScalarAsync());
        var sizes = commits.GetMeasurementSnapshot().Select(m => m.Value).ToList();
        Assert.Equal(600, sizes.Sum());
        Assert.True(sizes.Max() > 1, "concurrent creations share commits");
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task SmtpWithCredentials_NeverSendsThemOverAnUnencryptedConnection()
    {
        var schema = TestNames.Unique();
        await using var smtp = new SmtpTestServer(); // offers AUTH, but no STARTTLS
        await using var host = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema,
            o =>
            {
                o.ChannelRetryDelay = TimeSpan.FromMilliseconds(50);
                o.ChannelMaxAttempts = 2;
            },
            b => b.AddSmtpEmail(o =>
            {
                o.Host = "127.0.0.1";
                o.Port = smtp.Port;
                o.Security = SmtpSecurity.Auto;
                o.UserName = "shop";
                o.Password = "s3cret";
                o.From = "noreply@shop.test";
            }));
        var service = host.Services.GetRequiredService<INotificationService>();

        await service.CreateAsync(new NotificationRequest
        {
            RecipientId = "alice", Type = "t", Title = "hello", Channels = new Dictionary<string, string> { ["email"] = "alice@example.test" },
        });

        await using var data = NpgsqlDataSource.Create(postgres.ConnectionString);
        await Eventually.TrueAsync(async () =>
        {
            await using var row = data.CreateCommand($"select status = 'failed' from \"{schema}\".channel_deliveries");
            return await row.ExecuteScalarAsync() is true;
        }, TimeSpan.FromSeconds(30));
        await using var error = data.CreateCommand($"select last_error from \"{schema}\".channel_deliveries");
        Assert.Contains("unencrypted", (string)(await error.ExecuteScalarAsync())!, StringComparison.Ordinal);
        Assert.Empty(smtp.AuthCommands);
        Assert.Empty(smtp.Messages);
    }

    [Fact]
    public void SmtpWithCredentialsAndNoTls_FailsAtStart()
    {
        var services = new ServiceCollection();
        services.AddCommerceNotifications(o =>
        {
            o.RedisConfiguration = "localhost";
            o.PostgresConnectionString = "Host=localhost";
        }).AddSmtpEmail(o =>
        {
            o.Host = "smtp.example.test";
            o.Security = SmtpSecurity.None;
            o.UserName = "shop";
            o.Password = "s3cret";
            o.From = "noreply@shop.test";
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<SmtpEmailOptions>>().Value);
        Assert.Contains("Security", error.Message, StringComparison.Ordinal);
    }
}
