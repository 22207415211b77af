using System.Text;

namespace Commerce.Webhooks.Tests;

/// <summary>What the receiving tests send and count: Standard Webhooks requests, and the rows an inbox holds.</summary>
internal static class SignedRequests
{
    /// <summary>A Standard Webhooks request to <paramref name="path"/>, signed with <paramref name="secret"/>.</summary>
    public static HttpRequestMessage Create(string path, string body, WebhookSecret secret, string? id = null, DateTimeOffset? at = null)
    {
        id ??= $"msg_{Guid.NewGuid():N}";
        var timestamp = at ?? DateTimeOffset.UtcNow;
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(WebhookHeaders.Id, id);
        request.Headers.Add(WebhookHeaders.Timestamp, timestamp.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookHeaders.Signature, StandardWebhookSigner.Sign(id, timestamp, bytes, secret));
        return request;
    }

    /// <summary>How many messages the inbox of <paramref name="schema"/> holds.</summary>
    public static async Task<long> InboxCountAsync(this PostgresFixture postgres, string schema)
    {
        await using var command = postgres.DataSource.CreateCommand($"select count(*) from \"{schema}\".inbox");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
