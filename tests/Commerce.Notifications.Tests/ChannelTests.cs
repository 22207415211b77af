using Commerce.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Xunit;

namespace Commerce.Notifications.Tests;

/// <summary>Out-of-band delivery (e-mail over SMTP to a local SMTP server) and option validation.</summary>
public sealed class ChannelTests(RedisFixture redis, PostgresFixture postgres) : IClassFixture<RedisFixture>, IClassFixture<PostgresFixture>
{
    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Email_IsDeliveredOverSmtp_AndRetriedAfterATemporaryFailure()
    {
        var schema = TestNames.Unique();
        await using var smtp = new SmtpTestServer();
        smtp.RejectNext(2);
        await using var host = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema,
            o => o.ChannelRetryDelay = TimeSpan.FromMilliseconds(100),
            b => b.AddSmtpEmail(o => { o.Host = "127.0.0.1"; o.Port = smtp.Port; o.Security = SmtpSecurity.None; o.From = "Shop <noreply@shop.test>"; }));
        var service = host.Services.GetRequiredService<INotificationService>();

        var created = await service.CreateAsync(new NotificationRequest
        {
            RecipientId = "alice",
            Type = "order_status",
            Title = "Your order shipped",
            Body = "Order 1001 is on its way.",
            Channels = new Dictionary<string, string> { ["email"] = "alice@example.test" },
        });

        await Eventually.TrueAsync(() => !smtp.Messages.IsEmpty, TimeSpan.FromSeconds(30));
        var message = Assert.Single(smtp.Messages);
        Assert.Equal(["alice@example.test"], message.To);
        Assert.Contains("Subject: Your order shipped", message.Data, StringComparison.Ordinal);
        Assert.Contains("Order 1001 is on its way.", message.Data, StringComparison.Ordinal);
        Assert.Contains($"notification-{created.Id}@commerce", message.Data, StringComparison.Ordinal);
        Assert.Equal(2, smtp.Rejected);

        await using var data = NpgsqlDataSource.Create(postgres.ConnectionString);
        await using var row = data.CreateCommand($"select status, attempts from {schema}.channel_deliveries");
        await using var reader = await row.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("delivered", reader.GetString(0));
        Assert.Equal(3, reader.GetInt32(1));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Email_QueuedWhileTheServerIsDown_IsDeliveredByAnotherInstanceLater_AndGivesUpAfterMaxAttempts()
    {
        var schema = TestNames.Unique();
        await using var smtp = new SmtpTestServer();
        smtp.RejectNext(int.MaxValue);
        await using (var first = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema,
            o => { o.ChannelRetryDelay = TimeSpan.FromMilliseconds(50); o.ChannelMaxAttempts = 2; },
            b => b.AddSmtpEmail(o => { o.Host = "127.0.0.1"; o.Port = smtp.Port; o.Security = SmtpSecurity.None; o.From = "noreply@shop.test"; })))
        {
            var service = first.Services.GetRequiredService<INotificationService>();
            await service.CreateAsync(new NotificationRequest { RecipientId = "a", Type = "t", Title = "gives up", Channels = new Dictionary<string, string> { ["email"] = "a@example.test" } });
            await Eventually.TrueAsync(() => smtp.Rejected >= 2, TimeSpan.FromSeconds(30));
            await using var data = NpgsqlDataSource.Create(postgres.ConnectionString);
            await Eventually.TrueAsync(async () =>
            {
                await using var row = data.CreateCommand($"select status = 'failed' and last_error like '%Try again later%' from {schema}.channel_deliveries");
                return (bool)(await row.ExecuteScalarAsync())!;
            }, because: "after ChannelMaxAttempts the delivery is parked as failed with its error");
        }

        // Queued by an instance that stops before it can deliver; picked up by the next one.
        await using (var producer = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema,
            o => o.RunBackgroundWorker = false,
            b => b.AddSmtpEmail(o => { o.Host = "127.0.0.1"; o.Port = smtp.Port; o.Security = SmtpSecurity.None; o.From = "noreply@shop.test"; })))
        {
            await producer.Services.GetRequiredService<INotificationService>().CreateAsync(new NotificationRequest
            {
                RecipientId = "b", Type = "t", Title = "durable", Channels = new Dictionary<string, string> { ["email"] = "b@example.test" },
            });
        }

        smtp.RejectNext(0);
        await using var consumer = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema, null,
            b => b.AddSmtpEmail(o => { o.Host = "127.0.0.1"; o.Port = smtp.Port; o.Security = SmtpSecurity.None; o.From = "noreply@shop.test"; }));
        await Eventually.TrueAsync(() => smtp.Messages.Any(m => m.To.Contains("b@example.test")), TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(smtp.Messages, m => m.To.Contains("a@example.test"));
    }

    [Fact]
    public void InvalidOptions_FailAtStart_WithEveryProblemNamed()
    {
        var services = new ServiceCollection();
        services.AddCommerceNotifications(o =>
        {
            o.Schema = "Bad-Schema";
            o.BackfillPageSize = 0;
            o.ChannelRetryDelay = TimeSpan.FromHours(2);
        }).AddSmtpEmail(o => o.Host = "");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<NotificationsOptions>>().Value);
        var message = string.Join(" | ", error.Failures);
        Assert.Contains("Schema", message, StringComparison.Ordinal);
        Assert.Contains("BackfillPageSize", message, StringComparison.Ordinal);
        Assert.Contains("RedisConfiguration", message, StringComparison.Ordinal);
        Assert.Contains("PostgresConnectionString", message, StringComparison.Ordinal);
        Assert.Contains("ChannelMaxRetryDelay", message, StringComparison.Ordinal);
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SmtpEmailOptions>>().Value);
    }
}
