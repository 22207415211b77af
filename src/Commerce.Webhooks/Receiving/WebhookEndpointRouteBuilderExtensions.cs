using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Commerce.Webhooks;
using Commerce.Webhooks.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps webhook receiving endpoints.</summary>
public static class WebhookEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST <paramref name="pattern"/></c> to receive webhooks from <paramref name="source"/>. The raw body is read up
    /// to <see cref="WebhooksOptions.MaxBodyBytes"/> (413 beyond, nothing stored) and verified (401 with ProblemDetails,
    /// nothing stored; 400 when its message id can't be a dedupe key; 422 with field errors when its type is not the
    /// endpoint's (<see cref="WebhookEndpointOptions.RequireType"/>) or a payload validator refuses it); a valid webhook is committed to the inbox before the answer: 202 when new, 200 when a duplicate
    /// (or processed inline), 503 with <c>Retry-After</c> when PostgreSQL is down (so the sender retries; nothing is lost).
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="pattern">The route, for example <c>/api/webhooks/{type}</c>.</param>
    /// <param name="source">The configured source the webhooks come from.</param>
    /// <param name="configure">Endpoint settings.</param>
    /// <returns>The route handler builder, to add metadata, rate limiting, etc.</returns>
    public static RouteHandlerBuilder MapWebhooks(
        this IEndpointRouteBuilder endpoints,
        [StringSyntax("Route")] string pattern,
        string source,
        Action<WebhookEndpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(source);
        var settings = new WebhookEndpointOptions();
        configure?.Invoke(settings);

        return endpoints.MapPost(pattern, async (HttpContext context) =>
            {
                var services = context.RequestServices;
                var max = services.GetRequiredService<IOptions<WebhooksOptions>>().Value.MaxBodyBytes;
                var body = context.Request.ContentLength > max ? null : await ReadBodyAsync(context.Request.Body, context.Request.ContentLength, max, context.RequestAborted);
                if (body is null)
                {
                    services.GetRequiredService<WebhooksMetrics>().Received(source, "too_large");
                    return Results.Problem(
                        statusCode: StatusCodes.Status413PayloadTooLarge,
                        title: "Webhook body too large",
                        detail: $"The body is larger than {max} bytes; nothing was stored.");
                }

                var routeType = settings.Type ?? context.Request.RouteValues["type"]?.ToString();
                var receive = settings.RequireType
                    ? new WebhookReceiveOptions { RequiredType = routeType, ProcessInline = settings.ProcessInline }
                    : new WebhookReceiveOptions { FallbackType = routeType, ProcessInline = settings.ProcessInline };
                WebhookReceiveResult result;
                try
                {
                    result = await services.GetRequiredService<IWebhookReceiver>()
                        .ReceiveAsync(source, context.Request.Headers, body, receive, context.RequestAborted);
                }
                catch (WebhooksUnavailableException e)
                {
                    context.Response.Headers.RetryAfter = "5";
                    return Results.Problem(
                        statusCode: StatusCodes.Status503ServiceUnavailable,
                        title: "Webhook not stored",
                        detail: "The inbox is unavailable; nothing was stored. Retry later. " + (e.IsTransient ? "(transient)" : ""));
                }

                return result.Outcome switch
                {
                    WebhookReceiveOutcome.Rejected => Results.Problem(
                        statusCode: StatusCodes.Status401Unauthorized,
                        title: "Invalid webhook",
                        detail: result.Verification.Detail,
                        extensions: new Dictionary<string, object?> { ["failure"] = result.Verification.Failure.ToString() }),
                    WebhookReceiveOutcome.Invalid => Results.Problem(
                        statusCode: StatusCodes.Status400BadRequest,
                        title: "Invalid webhook message id",
                        detail: result.Verification.Detail,
                        extensions: new Dictionary<string, object?> { ["failure"] = result.Verification.Failure.ToString() }),
                    WebhookReceiveOutcome.Unprocessable => Results.ValidationProblem(
                        result.Errors ?? new Dictionary<string, string[]>(),
                        statusCode: StatusCodes.Status422UnprocessableEntity,
                        title: "Webhook payload not usable",
                        detail: "The webhook is authentic but can't be used; nothing was stored. Fix it and send it again."),
                    WebhookReceiveOutcome.Duplicate => Results.Ok(new { id = result.Verification.MessageId, status = "duplicate" }),
                    WebhookReceiveOutcome.Processed => Results.Ok(new { id = result.Verification.MessageId, status = "processed" }),
                    _ => Results.Accepted(value: new { id = result.Verification.MessageId, status = "accepted" }),
                };
            })
            .WithMetadata(new WebhookEndpointMetadata(source))
            .DisableAntiforgery()
            .Produces(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<byte[]?> ReadBodyAsync(Stream body, long? contentLength, int max, CancellationToken cancellationToken)
    {
        if (contentLength is { } length and <= int.MaxValue)
        {
            // The usual case: the length is known (and within the limit), so read straight into the final array.
            var exact = new byte[length];
            await body.ReadExactlyAsync(exact, cancellationToken).ConfigureAwait(false);
            return exact; // the server ends the body at Content-Length
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var read = await body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > max)
            {
                return null;
            }
        }
    }
}

/// <summary>Marks an endpoint mapped by <c>MapWebhooks</c>, with the source it receives from.</summary>
/// <param name="Source">The source.</param>
public sealed record WebhookEndpointMetadata(string Source);
