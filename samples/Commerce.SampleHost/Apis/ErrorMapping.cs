using Commerce.FlashSale;
using Microsoft.AspNetCore.Diagnostics;

namespace Commerce.SampleHost;

/// <summary>
/// Turns the packages' exceptions into ProblemDetails in one place, so no stack trace leaves the host: an unavailable
/// store is 503 with Retry-After (saying when a change may have been applied and how to retry it safely), bad input 400.
/// </summary>
public sealed class ErrorMapping(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            FlashSaleUnavailableException { MayHaveApplied: true } e => (StatusCodes.Status503ServiceUnavailable, "Outcome unknown",
                $"The storage did not answer in time and the change may have been applied. Retry with the same Idempotency-Key{(e.ReservationId is null ? "" : $" ('{e.ReservationId}')")}: a retry answers what happened and never applies it twice."),
            FlashSaleUnavailableException => (StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable", "The flash-sale storage is unavailable or recovering; nothing was changed. Retry shortly."),
            FlashSaleDefinitionException e => (StatusCodes.Status400BadRequest, "Invalid request", e.Message),
            _ => (0, "", ""),
        };
        if (status == 0)
        {
            return false;
        }

        httpContext.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "1";
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
