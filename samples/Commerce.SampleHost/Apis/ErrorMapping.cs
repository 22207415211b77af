using Commerce.Analytics;
using Commerce.FlashSale;
using Commerce.Notifications;
using Microsoft.AspNetCore.Diagnostics;

namespace Commerce.SampleHost;

/// <summary>
/// Turns every exception into ProblemDetails in one place, so no stack trace leaves the host in any environment: the
/// packages' validation exceptions are 400 with their field errors, a malformed request (bad JSON, <c>start=abc</c>) is
/// 400, an unavailable store is 503 with Retry-After (saying when a change may have been applied and how to retry it
/// safely), anything else a bare 500.
/// </summary>
public sealed class ErrorMapping(IProblemDetailsService problems, ILogger<ErrorMapping> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, string[]>? errors = null;
        var (status, title, detail) = exception switch
        {
            FlashSaleUnavailableException { MayHaveApplied: true } e => (StatusCodes.Status503ServiceUnavailable, "Outcome unknown",
                $"The storage did not answer in time and the change may have been applied. Retry with the same Idempotency-Key{(e.ReservationId is null ? "" : $" ('{e.ReservationId}')")}: a retry answers what happened and never applies it twice."),
            FlashSaleUnavailableException => (StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable", "The flash-sale storage is unavailable or recovering; nothing was changed. Retry shortly."),
            FlashSaleDefinitionException e => Invalid(errors = e.Errors),
            AnalyticsValidationException e => Invalid(errors = e.Errors),
            NotificationValidationException e => Invalid(errors = e.Errors),
            BadHttpRequestException e => (e.StatusCode, "Malformed request", Describe(e)),
            Npgsql.NpgsqlException or StackExchange.Redis.RedisException or TimeoutException => (StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable",
                "A storage server did not answer; nothing is known to have changed. Retry shortly."),
            _ => (StatusCodes.Status500InternalServerError, "Unexpected error", "Something went wrong on our side; nothing about it is shown here. It is logged with this request's trace id."),
        };

        if (status == StatusCodes.Status500InternalServerError)
        {
            logger.LogError(exception, "Unhandled exception for {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "1";
        }

        var problem = errors is { Count: > 0 }
            ? new HttpValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value)) { Status = status, Title = title, Detail = detail }
            : new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail };
        problem.Extensions["traceId"] = System.Diagnostics.Activity.Current?.Id ?? httpContext.TraceIdentifier;

        // No Exception on the context: the problem details writers must not add its message or stack trace.
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem });
    }

    private static (int, string, string) Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        (StatusCodes.Status400BadRequest, "Invalid request", "One or more fields are invalid; see errors. Nothing was changed.");

    /// <summary>What was wrong with the request, in words that name the part, not the code that noticed it.</summary>
    private static string Describe(BadHttpRequestException exception) => exception.InnerException switch
    {
        System.Text.Json.JsonException => "The body is not valid JSON for this endpoint.",
        _ when exception.Message.StartsWith("Failed to bind parameter", StringComparison.Ordinal) => exception.Message.Split(" from ", 2)[0].Replace("Failed to bind parameter", "Invalid value for", StringComparison.Ordinal) + ".",
        _ when exception.Message.StartsWith("Required parameter", StringComparison.Ordinal) => exception.Message,
        _ => "The request could not be read.",
    };
}
