using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Commerce.StoreSimulator;

/// <summary>
/// Many shoppers at one flash sale, through every given host instance, as the HTTP API sees them; with a waiting room,
/// every shopper joins the queue before the start, asks again until admitted (or told sold out), then reserves with
/// the admission token.
/// </summary>
public sealed class FlashSaleCrowd(IReadOnlyList<Uri> hosts, string shopId)
{
    public sealed record Result(Guid SaleId, int Stock, int Attempts, int Reserved, int UnitsReserved, int SoldOut, int LimitExceeded, int RateLimited, int Other, int Available, int Held, int Confirmed)
    {
        /// <summary>With a waiting room: shoppers admitted, and shoppers told sold out while they waited.</summary>
        public (int Admitted, int SoldOutWaiting) Queue { get; init; }
    }

    /// <summary>Creates a one-item sale of <paramref name="stock"/> units and sends <paramref name="shoppers"/> shoppers at it, each trying <paramref name="attemptsPerShopper"/> times.</summary>
    public async Task<Result> RunAsync(int stock, int shoppers, int attemptsPerShopper = 3, int perUserLimit = 2, int admissionsPerSecond = 0, CancellationToken ct = default)
    {
        using var admin = await ClientAsync(hosts[0], "admin-1", "admin", ct);
        var now = DateTimeOffset.UtcNow;
        var queued = admissionsPerSecond > 0;
        var created = await admin.PostAsJsonAsync("/api/v1/flash-sales", new
        {
            shopId, name = "Crowd sale", startsAt = queued ? now.AddSeconds(3) : now.AddSeconds(-1), endsAt = now.AddMinutes(30),
            items = new[] { new { productId = "p-0001", stock, price = 9.99m, perUserLimit } },
            waitingRoom = queued ? new { admissionsPerSecond, admissionSeconds = 120 } : null,
        }, ct);
        created.EnsureSuccessStatusCode();
        var saleId = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();

        int reserved = 0, units = 0, soldOut = 0, limit = 0, rateLimited = 0, other = 0, admitted = 0, soldOutWaiting = 0;
        var clients = await Task.WhenAll(Enumerable.Range(0, shoppers).Select(i => ClientAsync(hosts[i % hosts.Count], $"shopper-{i}", "shopper", ct)));
        await Parallel.ForEachAsync(Enumerable.Range(0, shoppers), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(64, queued ? Math.Min(shoppers, 256) : 0), CancellationToken = ct }, async (i, token) =>
        {
            using var client = clients[i];
            string? admission = null;
            if (queued)
            {
                admission = await WaitForAdmissionAsync(client, saleId, token);
                if (admission is null)
                {
                    Interlocked.Increment(ref soldOutWaiting);
                    return;
                }

                Interlocked.Increment(ref admitted);
            }

            for (var attempt = 0; attempt < attemptsPerShopper; attempt++)
            {
                var quantity = 1 + (i + attempt) % 2;
                using var response = await client.PostAsJsonAsync($"/api/v1/flash-sales/{saleId}/reserve", new { productId = "p-0001", quantity, admissionToken = admission }, token);
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
            item.GetProperty("available").GetInt32(), item.GetProperty("reserved").GetInt32(), item.GetProperty("confirmed").GetInt32())
        {
            Queue = (admitted, soldOutWaiting),
        };
    }

    /// <summary>Joins the waiting room and asks again until admitted (the token) or told sold out (null).</summary>
    private static async Task<string?> WaitForAdmissionAsync(HttpClient client, Guid saleId, CancellationToken ct)
    {
        while (true)
        {
            using var response = await client.PostAsync($"/api/v1/flash-sales/{saleId}/queue", null, ct);
            response.EnsureSuccessStatusCode();
            var ticket = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            switch (ticket.GetProperty("status").GetString())
            {
                case "Admitted":
                    return ticket.GetProperty("admissionToken").GetString();
                case "SoldOut":
                    return null;
                default:
                    await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
                    break;
            }
        }
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
