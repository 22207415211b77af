using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Commerce.StoreSimulator;

/// <summary>Many shoppers at one flash sale, through every given host instance, as the HTTP API sees them.</summary>
public sealed class FlashSaleCrowd(IReadOnlyList<Uri> hosts, string shopId)
{
    public sealed record Result(Guid SaleId, int Stock, int Attempts, int Reserved, int UnitsReserved, int SoldOut, int LimitExceeded, int RateLimited, int Other, int Available, int Held, int Confirmed);

    /// <summary>Creates a one-item sale of <paramref name="stock"/> units and sends <paramref name="shoppers"/> shoppers at it, each trying <paramref name="attemptsPerShopper"/> times.</summary>
    public async Task<Result> RunAsync(int stock, int shoppers, int attemptsPerShopper = 3, int perUserLimit = 2, CancellationToken ct = default)
    {
        using var admin = await ClientAsync(hosts[0], "admin-1", "admin", ct);
        var now = DateTimeOffset.UtcNow;
        var created = await admin.PostAsJsonAsync("/api/v1/flash-sales", new
        {
            shopId, name = "Crowd sale", startsAt = now.AddSeconds(-1), endsAt = now.AddMinutes(30),
            items = new[] { new { productId = "p-0001", stock, price = 9.99m, perUserLimit } },
        }, ct);
        created.EnsureSuccessStatusCode();
        var saleId = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();

        int reserved = 0, units = 0, soldOut = 0, limit = 0, rateLimited = 0, other = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, shoppers), new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = ct }, async (i, token) =>
        {
            using var client = await ClientAsync(hosts[i % hosts.Count], $"shopper-{i}", "shopper", token);
            for (var attempt = 0; attempt < attemptsPerShopper; attempt++)
            {
                var quantity = 1 + (i + attempt) % 2;
                using var response = await client.PostAsJsonAsync($"/api/v1/flash-sales/{saleId}/reserve", new { productId = "p-0001", quantity }, token);
                switch (response.StatusCode)
                {
                    case HttpStatusCode.Created:
                        Interlocked.Increment(ref reserved);
                        Interlocked.Add(ref units, quantity);
                        break;
                    case HttpStatusCode.Conflict: Interlocked.Increment(ref soldOut); break;
                    case HttpStatusCode.UnprocessableEntity: Interlocked.Increment(ref limit); break;
                    case HttpStatusCode.TooManyRequests: Interlocked.Increment(ref rateLimited); break;
                    default: Interlocked.Increment(ref other); break;
                }
            }
        });

        var sale = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/flash-sales/{saleId}", ct);
        var item = sale.GetProperty("items")[0];
        return new Result(saleId, stock, shoppers * attemptsPerShopper, reserved, units, soldOut, limit, rateLimited, other,
            item.GetProperty("available").GetInt32(), item.GetProperty("reserved").GetInt32(), item.GetProperty("confirmed").GetInt32());
    }

    /// <summary>An HTTP client for <paramref name="host"/> with a development token for the user.</summary>
    public async Task<HttpClient> ClientAsync(Uri host, string userId, string role, CancellationToken ct)
    {
        var client = new HttpClient { BaseAddress = host };
        using var response = await client.PostAsJsonAsync("/api/dev/token", new { userId, shopId, role }, ct);
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("token").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
