using Microsoft.AspNetCore.Http;

namespace Commerce.Webhooks;

/// <summary>
/// Verifies a webhook and commits it to the inbox, once per (source, message id). <c>MapWebhooks</c> calls this; call it
/// yourself to receive webhooks some other way (a queue, a test).
/// </summary>
public interface IWebhookReceiver
{
    /// <summary>Receives one webhook.</summary>
    /// <param name="source">The configured source name.</param>
    /// <param name="headers">Its headers.</param>
    /// <param name="body">Its exact body.</param>
    /// <param name="options">The fallback or required type, and whether to run the handlers inline; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    /// <exception cref="InvalidOperationException">No such source is configured.</exception>
    /// <exception cref="WebhooksUnavailableException">PostgreSQL failed: nothing was stored, the sender should retry.</exception>
    Task<WebhookReceiveResult> ReceiveAsync(string source, IHeaderDictionary headers, ReadOnlyMemory<byte> body, WebhookReceiveOptions? options = null, CancellationToken cancellationToken = default);
}
