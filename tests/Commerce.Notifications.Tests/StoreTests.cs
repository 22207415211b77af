using Commerce.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;

namespace Commerce.Notifications.Tests;

/// <summary>The PostgreSQL store: sequences, unread counts, paging, bulk, retention, validation.</summary>
public sealed class StoreTests(RedisFixture redis, PostgresFixture postgres) : IClassFixture<RedisFixture>, IClassFixture<PostgresFixture>
{
    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task ConcurrentCreations_ForOneRecipient_GetGaplessSequences_AndTheRightUnreadCount()
    {
        var schema = TestNames.Unique();
        await using var host = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        var service = host.Services.GetRequiredService<INotificationService>();

        var created = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            service.CreateAsync(new NotificationRequest { RecipientId = "u1", Type = "order_status", Title = $"Order {i}" })));

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), created.Select(n => n.Sequence).Order());
        Assert.Equal(200, await service.GetUnreadCountAsync("u1"));
        Assert.Equal(0, await service.GetUnreadCountAsync("someone-else"));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task UnreadCount_StaysRight_UnderConcurrentMarks_RepeatedMarks_AndCreations()
    {
        var schema = TestNames.Unique();
        await using var host = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        var service = host.Services.GetRequiredService<INotificationService>();
        var first = new List<Notification>();
        for (var i = 0; i < 100; i++)
        {
            first.Add(await service.CreateAsync(new NotificationRequest { RecipientId = "u1", Type = "t", Title = $"n{i}" }));
        }

        // Every one of the first 50 marked by 4 callers at once; mark-all racing them; 50 more created meanwhile.
        var marks = first.Take(50).SelectMany(n => Enumerable.Range(0, 4).Select(_ => service.MarkReadAsync("u1", n.Id))).ToList();
        var markAll = service.MarkAllReadAsync("u1");
        var more = Enumerable.Range(0, 50).Select(i => service.CreateAsync(new NotificationRequest { RecipientId = "u1", Type = "t", Title = $"m{i}" })).ToList();
        var results = await Task.WhenAll(marks);
        var markedByAll = await markAll;
        await Task.WhenAll(more);

        // Each of the first 100 was marked by exactly one call (mark-all may also have taken some of the 50 new ones).
        var read = results.Count(r => r) + markedByAll;
        Assert.InRange(read, 100, 150);
        await using var data = NpgsqlDataSource.Create(postgres.ConnectionString);
        await using var count = data.CreateCommand($"select count(*)::int from {schema}.notifications where recipient_id = 'u1' and read_at is null");
        var actual = (int)(await count.ExecuteScalarAsync())!;
        Assert.Equal(150 - read, actual);
        Assert.Equal(actual, await service.GetUnreadCountAsync("u1"));

        // Marking again changes nothing; another recipient can't mark u1's notification.
        Assert.False(await service.MarkReadAsync("u1", first[0].Id));
        var unread = (await service.GetPageAsync("u1", unreadOnly: true)).Items;
        if (unread.Count > 0)
        {
            Assert.False(await service.MarkReadAsync("intruder", unread[0].Id));
        }

        Assert.Equal(actual, await service.GetUnreadCountAsync("u1"));
        Assert.Equal(actual, await service.MarkAllReadAsync("u1"));
        Assert.Equal(0, await service.GetUnreadCountAsync("u1"));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Paging_IsNewestFirst_WithACursor_AndUnreadOnly()
    {
        var schema = TestNames.Unique();
        await using var host = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        var service = host.Services.GetRequiredService<INotificationService>();
        for (var i = 1; i <= 25; i++)
        {
            await service.CreateAsync(new NotificationRequest { RecipientId = "u1", Type = "t", Title = $"n{i}" });
        }

        var page1 = await service.GetPageAsync("u1", limit: 10);
        var page2 = await service.GetPageAsync("u1", page1.NextBefore, 10);
        var page3 = await service.GetPageAsync("u1", page2.NextBefore, 10);
        Assert.Equal(Enumerable.Range(16, 10).Reverse().Select(i => (long)i), page1.Items.Select(n => n.Sequence));
        Assert.Equal(Enumerable.Range(6, 10).Reverse().Select(i => (long)i), page2.Items.Select(n => n.Sequence));
        Assert.Equal(Enumerable.Range(1, 5).Reverse().Select(i => (long)i), page3.Items.Select(n => n.Sequence));
        Assert.Null(page3.NextBefore);
        Assert.Equal(25, page1.UnreadCount);

        Assert.True(await service.MarkReadAsync("u1", page1.Items[0].Id));
        var unread = await service.GetPageAsync("u1", limit: 100, unreadOnly: true);
        Assert.Equal(24, unread.Items.Count);
        Assert.Equal(24, unread.UnreadCount);
        Assert.DoesNotContain(unread.Items, n => n.Sequence == 25);
        Assert.NotNull((await service.GetPageAsync("u1", limit: 1)).Items[0].ReadAt);

        var since = await service.GetSinceAsync("u1", 20);
        Assert.Equal(new long[] { 21, 22, 23, 24, 25 }, since.Select(n => n.Sequence));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task BadRequests_AreRejectedWithTheirFields_AndWriteNothing()
    {
        var schema = TestNames.Unique();
        await using var host = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema);
        var service = host.Services.GetRequiredService<INotificationService>();

        var error = await Assert.ThrowsAsync<NotificationValidationException>(() => service.CreateAsync(new NotificationRequest
        {
            RecipientId = " ",
            Type = "t",
            Title = new string('x', 501),
            Data = System.Text.Json.JsonDocument.Parse("[1]").RootElement,
            Channels = new Dictionary<string, string> { ["pigeon"] = "roof" },
        }));
        Assert.Contains("recipientId", error.Errors.Keys);
        Assert.Contains("title", error.Errors.Keys);
        Assert.Contains("data", error.Errors.Keys);
        Assert.Contains("channels.pigeon", error.Errors.Keys);
        await Assert.ThrowsAsync<NotificationValidationException>(() => service.EnqueueBulkAsync(new BulkNotificationRequest { RecipientIds = [], Type = "t", Title = "x" }));

        await using var data = NpgsqlDataSource.Create(postgres.ConnectionString);
        await using var count = data.CreateCommand($"select (select count(*) from {schema}.notifications) + (select count(*) from {schema}.bulk_jobs)");
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Bulk_CreatesExactlyOnePerRecipient_EvenWithTwoInstancesWorking()
    {
        var schema = TestNames.Unique();
        await using var a = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema, o => o.BulkBatchSize = 97);
        await using var b = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema, o => o.BulkBatchSize = 97);
        var service = a.Services.GetRequiredService<INotificationService>();
        await service.CreateAsync(new NotificationRequest { RecipientId = "user-0007", Type = "t", Title = "earlier" });

        var recipients = Enumerable.Range(0, 3000).Select(i => $"user-{i:D4}").ToList();
        var jobs = await Task.WhenAll(
            service.EnqueueBulkAsync(new BulkNotificationRequest { RecipientIds = [.. recipients, "user-0001"], Type = "promotion", Title = "Sale!" }),
            b.Services.GetRequiredService<INotificationService>().EnqueueBulkAsync(new BulkNotificationRequest { RecipientIds = recipients.Take(500).ToList(), Type = "promotion", Title = "Second" }));

        await Eventually.TrueAsync(async () => (await service.GetBulkStatusAsync(jobs[0]))!.Completed && (await service.GetBulkStatusAsync(jobs[1]))!.Completed, TimeSpan.FromSeconds(60));
        Assert.Equal(new BulkNotificationStatus(jobs[0], 3000, 3000, true), await service.GetBulkStatusAsync(jobs[0]));

        await using var data = NpgsqlDataSource.Create(postgres.ConnectionString);
        await using var check = data.CreateCommand(
            $"""
            select count(*) filter (where title = 'Sale!'), count(distinct recipient_id) filter (where title = 'Sale!'),
                   count(*) filter (where title = 'Second'),
                   bool_and(s.ok)
            from {schema}.notifications,
                 lateral (select (select count(*) from {schema}.notifications x where x.recipient_id = r.recipient_id) = r.last_sequence
                                 and (select count(*) from {schema}.notifications x where x.recipient_id = r.recipient_id and read_at is null) = r.unread_count as ok
                          from {schema}.recipients r where r.recipient_id = notifications.recipient_id) s
            """);
        await using var reader = await check.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(3000L, reader.GetInt64(0));
        Assert.Equal(3000L, reader.GetInt64(1));
        Assert.Equal(500L, reader.GetInt64(2));
        Assert.True(reader.GetBoolean(3), "every recipient's sequence and unread count match its rows");
        Assert.Equal(new long[] { 1, 2, 3 }, (await service.GetSinceAsync("user-0007", 0)).Select(n => n.Sequence));
    }

    [IntegrationFact(TestServer.Redis | TestServer.Postgres)]
    public async Task Retention_DeletesOldNotifications_AndKeepsUnreadCountsRight()
    {
        var schema = TestNames.Unique();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        await using var host = await NotificationHost.StartAsync(redis.ConnectionString, postgres.ConnectionString, schema,
            o => { o.Retention = TimeSpan.FromDays(30); o.RunBackgroundWorker = false; },
            b => b.Services.AddSingleton<TimeProvider>(clock));
        var service = host.Services.GetRequiredService<INotificationService>();
        var old = new List<Notification>();
        for (var i = 0; i < 5; i++)
        {
            old.Add(await service.CreateAsync(new NotificationRequest { RecipientId = "u1", Type = "t", Title = "old" }));
        }

        await service.MarkReadAsync("u1", old[0].Id);
        clock.Advance(TimeSpan.FromDays(31));
        await service.CreateAsync(new NotificationRequest { RecipientId = "u1", Type = "t", Title = "new" });
        Assert.Equal(5, await service.GetUnreadCountAsync("u1"));

        Assert.Equal(5, await service.ApplyRetentionAsync());
        Assert.Equal(1, await service.GetUnreadCountAsync("u1"));
        var page = await service.GetPageAsync("u1");
        Assert.Equal(6, Assert.Single(page.Items).Sequence);   // sequences are never reused
    }
}
