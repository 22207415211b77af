using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Commerce.Webhooks.Internal;

/// <summary>What one delivery attempt got.</summary>
/// <param name="Status">The HTTP status, if an answer came.</param>
/// <param name="Error">Why it failed, if it did.</param>
/// <param name="Permanent">Retrying can't help: the destination is refused, or the endpoint answered 410 Gone.</param>
/// <param name="Throttled">The endpoint asked to slow down (429, 502, 503, 504).</param>
/// <param name="RetryAfter">The endpoint's <c>Retry-After</c>, if any.</param>
/// <param name="Excerpt">The start of the answer's body.</param>
internal sealed record DeliveryResult(int? Status, string? Error, bool Permanent, bool Throttled, TimeSpan? RetryAfter, string? Excerpt)
{
    public bool Delivered => Status is >= 200 and < 300;

    public bool Gone => Status == (int)HttpStatusCode.Gone;
}

/// <summary>
/// Makes one delivery attempt: signs the message afresh (so its timestamp is current) with every secret of the
/// endpoint, posts it to the endpoint URL joined with the message's path, and reads the status and the first
/// kilobyte of the answer, all within <see cref="WebhookSenderOptions.AttemptTimeout"/>.
/// </summary>
internal sealed class WebhookDeliverer(HttpClient http, WebhookSenderOptions options, TimeProvider time)
{
    private const int ExcerptBytes = 1024;
    private static readonly ProductInfoHeaderValue UserAgent = new("Commerce.Webhooks", typeof(WebhookDeliverer).Assembly.GetName().Version?.ToString(3));

    public async Task<DeliveryResult> DeliverAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        Uri url;
        try
        {
            url = DeliveryPaths.Combine(new Uri(row.Url), row.Path);
        }
        catch (Exception e) when (e is InvalidOperationException or UriFormatException)
        {
            return new DeliveryResult(null, e.Message, Permanent: true, Throttled: false, null, null);
        }

        var signedAt = time.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(row.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.UserAgent.Add(UserAgent);
        request.Headers.Add(WebhookHeaders.Id, row.MessageId);
        request.Headers.Add(WebhookHeaders.Timestamp, signedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookHeaders.Signature, StandardWebhookSigner.Sign(row.MessageId, signedAt, row.Body, row.Secrets.Select(WebhookSecret.Parse)));

        using var timeout = new CancellationTokenSource(options.AttemptTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var excerpt = await ExcerptAsync(response, linked.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return new DeliveryResult(status, null, Permanent: false, Throttled: false, null, excerpt);
            }

            if (response.StatusCode == HttpStatusCode.Gone)
            {
                return new DeliveryResult(status, "HTTP 410 Gone: the endpoint was disabled.", Permanent: true, Throttled: false, null, excerpt);
            }

            var throttled = response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway
                or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;
            TimeSpan? retryAfter = response.Headers.RetryAfter switch
            {
                { Delta: { } delta } => delta,
                { Date: { } date } => date - time.GetUtcNow(),
                _ => null,
            };
            return new DeliveryResult(status, $"HTTP {status}", Permanent: false, throttled, retryAfter, excerpt);
        }
        catch (HttpRequestException e) when (e is DestinationBlockedException || e.InnerException is DestinationBlockedException)
        {
            return new DeliveryResult(null, (e as DestinationBlockedException ?? (DestinationBlockedException)e.InnerException!).Message, Permanent: true, Throttled: false, null, null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new DeliveryResult(null, $"No answer within {options.AttemptTimeout.TotalSeconds:F0} s.", Permanent: false, Throttled: false, null, null);
        }
        catch (HttpRequestException e)
        {
            return new DeliveryResult(null, e.Message, Permanent: false, Throttled: false, null, null);
        }
    }

    private static async Task<string?> ExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[ExcerptBytes];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await body.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
            {
                read += n;
            }

            return read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read).Replace("\0", string.Empty, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return null; // the status is what counts; the excerpt is a courtesy
        }
    }
}
