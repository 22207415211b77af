using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Commerce.FlashSale;

namespace Commerce.SampleHost;

/// <summary>
/// Flash sales: admins create them for their own shop; anyone signed in reads a sale (public sale data, also live in
/// room <c>flash_sale:{id}</c>); shoppers reserve, confirm after payment, or release. A sale Redis lost is rebuilt by
/// itself: meanwhile calls answer 503 with Retry-After.
/// </summary>
public static class FlashSalesApi
{
    // Validated at the door by .NET's built-in minimal API validation (AddValidation): 400 with field errors.
    public sealed record CreateSaleRequest(
        [property: Required] string ShopId,
        [property: Required, StringLength(200)] string Name,
        [property: Required] DateTimeOffset? StartsAt,
        [property: Required] DateTimeOffset? EndsAt,
        [property: Required, MinLength(1)] IReadOnlyList<CreateSaleItem> Items,
        int Buckets = 1,
        CreateWaitingRoom? WaitingRoom = null);

    public sealed record CreateWaitingRoom(int AdmissionsPerSecond = 50, int AdmissionSeconds = 120);

    public sealed record CreateSaleItem([property: Required] string ProductId, int Stock, decimal Price, int PerUserLimit);

    public sealed record ReserveBody([property: Required] string ProductId, int Quantity = 1, string? AdmissionToken = null);

    public sealed record ReservationResponse(string ReservationId, Guid SaleId, string ProductId, int Quantity, string State, DateTimeOffset ExpiresAt);

    public static IEndpointRouteBuilder MapFlashSalesApi(this IEndpointRouteBuilder app)
    {
        var sales = app.MapGroup("/api/v1/flash-sales").RequireAuthorization().WithTags("Flash sales");

        sales.MapPost("/", async Task<IResult> (CreateSaleRequest request, ClaimsPrincipal user, IFlashSaleService service, CancellationToken ct) =>
        {
            if (!user.OwnsShop(request.ShopId))
            {
                return ShopAccess.Forbidden(request.ShopId);
            }

            try
            {
                var sale = await service.CreateSaleAsync(new FlashSaleDefinition
                {
                    ShopId = request.ShopId,
                    Name = request.Name,
                    StartsAt = request.StartsAt!.Value,
                    EndsAt = request.EndsAt!.Value,
                    Items = (request.Items ?? []).Select(i => new FlashSaleItemDefinition(i.ProductId, i.Stock, i.Price, i.PerUserLimit)).ToList(),
                    Buckets = request.Buckets,
                    WaitingRoom = request.WaitingRoom is { } room
                        ? new FlashSaleWaitingRoom { AdmissionsPerSecond = room.AdmissionsPerSecond, AdmissionLifetime = TimeSpan.FromSeconds(room.AdmissionSeconds) }
                        : null,
                }, ct);
                return TypedResults.Created($"/api/v1/flash-sales/{sale.Id}", sale);
            }
            catch (FlashSaleDefinitionException e)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [e.ParamName ?? "sale"] = [e.Message] });
            }
        }).RequireAuthorization("admin").WithSummary("Creates a sale (role admin, own shop).");

        sales.MapGet("/", async Task<IResult> (string shopId, int? limit, IFlashSaleService service, CancellationToken ct) =>
            limit is < 1 or > 200
                ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit is 1 to 200 (default 50)."] })
                : TypedResults.Ok(new { items = await service.ListSalesAsync(shopId, limit ?? 50, ct) }))
            .WithSummary("The shop's running and upcoming sales, soonest first, with live availability (anyone signed in).");

        sales.MapGet("/{id:guid}", async Task<IResult> (Guid id, IFlashSaleService service, CancellationToken ct) =>
            await service.GetSaleAsync(id, ct) is { } sale ? TypedResults.Ok(sale) : NotFound("sale", id.ToString()))
            .WithSummary("Status and per-item stock, available, reserved and confirmed units (anyone signed in).");

        sales.MapPost("/{id:guid}/reserve", async Task<IResult> (Guid id, ReserveBody body, HttpRequest http, ClaimsPrincipal user, IFlashSaleService service, CancellationToken ct) =>
        {
            var key = http.Headers["Idempotency-Key"].ToString();
            if (key.Length > 100)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["Idempotency-Key"] = ["At most 100 characters."] });
            }

            var result = await service.ReserveAsync(new ReserveRequest
            {
                SaleId = id,
                ProductId = body.ProductId,
                UserId = user.UserId()!,
                Quantity = body.Quantity,
                ReservationId = key.Length > 0 ? key : null,
                AdmissionToken = body.AdmissionToken,
            }, ct);
            switch (result.Outcome)
            {
                case ReserveOutcome.Reserved:
                    var response = ToResponse(result.Reservation!);
                    return result.IsReplay ? TypedResults.Ok(response) : TypedResults.Created($"/api/v1/flash-sales/{id}/reservations/{response.ReservationId}", response);
                case ReserveOutcome.RateLimited:
                    http.HttpContext.Response.Headers.RetryAfter = Math.Ceiling((result.RetryAfter ?? TimeSpan.FromSeconds(1)).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return Problem(StatusCodes.Status429TooManyRequests, "Too many reservation attempts", "Wait before trying again.");
                case ReserveOutcome.SoldOut:
                    return Problem(StatusCodes.Status409Conflict, "Sold out", $"Only {result.Available ?? 0} left; nothing was reserved.");
                case ReserveOutcome.LimitExceeded:
                    return Problem(StatusCodes.Status422UnprocessableEntity, "Limit exceeded", $"You may reserve {result.RemainingAllowance ?? 0} more of this item.");
                case ReserveOutcome.SaleNotActive:
                    return Problem(StatusCodes.Status422UnprocessableEntity, "Sale not active", $"The sale is {result.SaleStatus?.ToString().ToLowerInvariant() ?? "not active"}.");
                case ReserveOutcome.IdempotencyConflict:
                    return Problem(StatusCodes.Status409Conflict, "Idempotency key reused", "This Idempotency-Key was used for a different reservation.");
                case ReserveOutcome.HoldEnded:
                    return Problem(StatusCodes.Status409Conflict, "Reservation ended", $"This Idempotency-Key's reservation was {result.Reservation!.State.ToString().ToLowerInvariant()}; nothing was reserved now.");
                case ReserveOutcome.Recovering:
                    return Recovering(http, result.RetryAfter);
                case ReserveOutcome.NotAdmitted:
                    return Problem(StatusCodes.Status403Forbidden, "Not admitted", $"This sale has a waiting room: POST /api/v1/flash-sales/{id}/queue and reserve with the admission token once admitted.");
                default:
                    return NotFound("sale or item", $"{id}/{body.ProductId}");
            }
        }).WithSummary("Reserves units for the caller: 201, 409 sold out, 422 limit exceeded or sale not active, 429 rate limited, 403 not admitted by the waiting room.");

        sales.MapPost("/{id:guid}/queue", async Task<IResult> (Guid id, HttpRequest http, ClaimsPrincipal user, IFlashSaleService service, FlashSaleRooms rooms, CancellationToken ct) =>
        {
            var ticket = await service.JoinQueueAsync(id, user.UserId()!, ct);
            switch (ticket.Outcome)
            {
                case QueueOutcome.Recovering:
                    return Recovering(http, null);
                case QueueOutcome.NotFound:
                    return NotFound("sale", id.ToString());
                case QueueOutcome.NoWaitingRoom:
                    return Problem(StatusCodes.Status409Conflict, "No waiting room", "This sale has no waiting room: reserve directly.");
                case QueueOutcome.SaleNotActive:
                    return Problem(StatusCodes.Status422UnprocessableEntity, "Sale not active", "The sale has ended or was cancelled.");
                default:
                    rooms.QueueChanged(id, ticket);
                    return TypedResults.Ok(new
                    {
                        status = ticket.Outcome.ToString(),
                        ticket.Position,
                        ticket.Rank,
                        ticket.QueueLength,
                        ticket.AdmittedThrough,
                        ticket.AdmissionToken,
                        ticket.AdmissionExpiresAt,
                    });
            }
        }).WithSummary("Joins the sale's waiting room, or asks again keeping the place: position, and the admission token once admitted (the room flash_sale:{id} streams flash_sale_queue and sold out).");

        sales.MapPost("/{id:guid}/confirm-reservation/{reservationId}", (Guid id, string reservationId, HttpResponse http, ClaimsPrincipal user, IFlashSaleService service, CancellationToken ct) =>
            ChangeAsync(service.ConfirmAsync(id, reservationId, user.UserId()!, ct), ReservationOutcome.AlreadyConfirmed, http))
            .WithSummary("Confirms a reservation after payment; 200 only once it is durable.");
        sales.MapPost("/{id:guid}/release-reservation/{reservationId}", (Guid id, string reservationId, HttpResponse http, ClaimsPrincipal user, IFlashSaleService service, CancellationToken ct) =>
            ChangeAsync(service.ReleaseAsync(id, reservationId, user.UserId()!, ct), ReservationOutcome.AlreadyReleased, http))
            .WithSummary("Releases a reservation; its units return to stock.");
        return app;
    }

    /// <summary>200 with the reservation when changed, or when repeated (confirm twice); 409 when it is in another final state.</summary>
    private static async Task<IResult> ChangeAsync(Task<ReservationResult> change, ReservationOutcome repeated, HttpResponse http)
    {
        var result = await change;
        if (result.Outcome == ReservationOutcome.Recovering)
        {
            return Recovering(http.HttpContext.Request, null);
        }

        if (result.Outcome is ReservationOutcome.Confirmed or ReservationOutcome.Released || (result.Outcome == repeated && result.Reservation is not null))
        {
            return TypedResults.Ok(ToResponse(result.Reservation!));
        }

        return result.Outcome switch
        {
            ReservationOutcome.AlreadyConfirmed => Problem(StatusCodes.Status409Conflict, "Already confirmed", "The reservation is confirmed."),
            ReservationOutcome.AlreadyReleased => Problem(StatusCodes.Status409Conflict, "Already released", "The reservation was released."),
            ReservationOutcome.Expired => Problem(StatusCodes.Status409Conflict, "Expired", "The reservation expired; its units went back to stock."),
            ReservationOutcome.SaleNotActive => Problem(StatusCodes.Status422UnprocessableEntity, "Sale not active", "The sale is not active."),
            _ => NotFound("reservation", "of this user"),
        };
    }

    /// <summary>503 with Retry-After: the sale is being rebuilt from PostgreSQL after Redis lost it.</summary>
    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Recovering(HttpRequest http, TimeSpan? retryAfter)
    {
        http.HttpContext.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling((retryAfter ?? TimeSpan.FromSeconds(1)).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problem(StatusCodes.Status503ServiceUnavailable, "Sale recovering", "The sale is being restored after a storage failure; nothing was changed. Retry shortly with the same Idempotency-Key.");
    }

    private static ReservationResponse ToResponse(Reservation r) =>
        new(r.Id, r.SaleId, r.ProductId, r.Quantity, r.State.ToString().ToLowerInvariant(), r.ExpiresAt);

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(statusCode: status, title: title, detail: detail);

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NotFound(string what, string id) => Problem(StatusCodes.Status404NotFound, "Not found", $"No {what} {id}.");
}
