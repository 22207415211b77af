using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Commerce.Analytics;
using Commerce.Caching;

namespace Commerce.SampleHost;

/// <summary>
/// Reports of the seller's own shop, cached per shop (<see cref="ReportCache"/>: scope <c>shop:{id}</c>, invalidated by
/// every webhook of the shop on every instance): sales, profit and platforms 15 minutes, dashboard 10 minutes, at-risk
/// 5 minutes.
/// </summary>
public static class ReportsApi
{
    public sealed record SalesBucket(DateOnly Period, decimal Revenue, int Orders, int Units, decimal GrossProfit);

    /// <summary>One page of the at-risk list (most urgent first) and how many there are in all.</summary>
    public sealed record AtRiskPage(IReadOnlyList<AtRiskProduct> Items, int Total, int Offset, int Limit);

    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/reports").RequireAuthorization().WithTags("Reports")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        reports.MapGet("/metrics", async Task<Results<Ok<ReportCache.Metrics>, ProblemHttpResult, ValidationProblem>> (string shopId, DateOnly? start, DateOnly? end, int? days, ClaimsPrincipal user, IAnalyticsReports analytics, CommerceCache cache, CancellationToken ct) =>
        {
            var range = await RangeAsync(shopId, start, end, user, analytics, cache, ct, days);
            return range.Error is { } error ? error.As<ReportCache.Metrics>() : TypedResults.Ok(await ReportCache.MetricsAsync(cache, analytics, range.Value!, ct));
        }).WithSummary("Revenue, orders, average order value, profit, units, change against the previous period, best sellers.")
          .WithDescription("The range is start to end (local dates of the shop, inclusive); without them, the last `days` days (30 by default) up to the shop's today, so a dashboard that asks by days follows the shop's day as it turns.");

        reports.MapGet("/sales-summary", async Task<Results<Ok<List<SalesBucket>>, ProblemHttpResult, ValidationProblem>> (string shopId, DateOnly? start, DateOnly? end, string? interval, ClaimsPrincipal user, IAnalyticsReports analytics, CommerceCache cache, CancellationToken ct) =>
        {
            if (!Enum.TryParse<SalesInterval>(interval ?? "day", ignoreCase: true, out var unit) || !Enum.IsDefined(unit))
            {
                return Invalid("interval", "interval must be day, week or month.");
            }

            var range = await RangeAsync(shopId, start, end, user, analytics, cache, ct);
            if (range.Error is { } error)
            {
                return error.As<List<SalesBucket>>();
            }

            var r = range.Value!;
            return TypedResults.Ok(await cache.GetOrSetAsync($"sales:{r.ShopId}:{r.From}:{r.To}:{unit}", (analytics, r, unit), static async (s, ct) =>
                (await s.analytics.GetSalesAsync(s.r, s.unit, ct)).Points.Select(p => new SalesBucket(p.Period, p.Revenue, p.Orders, p.Units, p.GrossProfit)).ToList(),
                ReportCache.Sales, Scope(r.ShopId), ct));
        }).WithSummary("Sales per day, week or month in the shop's time zone, empty buckets included.");

        reports.MapGet("/profit-analysis", async Task<Results<Ok<ProfitReport>, ProblemHttpResult, ValidationProblem>> (string shopId, DateOnly? start, DateOnly? end, ClaimsPrincipal user, IAnalyticsReports analytics, CommerceCache cache, CancellationToken ct) =>
        {
            var range = await RangeAsync(shopId, start, end, user, analytics, cache, ct);
            return range.Error is { } error ? error.As<ProfitReport>() : TypedResults.Ok(await cache.GetOrSetAsync($"profit:{range.Value!.ShopId}:{range.Value.From}:{range.Value.To}", (analytics, range.Value),
                static (s, ct) => new ValueTask<ProfitReport>(s.analytics.GetProfitAsync(s.Value, 50, ct)), ReportCache.Sales, Scope(range.Value.ShopId), ct));
        }).WithSummary("Revenue, cost, gross profit and margin, overall and per product.");

        reports.MapGet("/platform-comparison", async Task<Results<Ok<PlatformReport>, ProblemHttpResult, ValidationProblem>> (string shopId, DateOnly? start, DateOnly? end, ClaimsPrincipal user, IAnalyticsReports analytics, CommerceCache cache, CancellationToken ct) =>
        {
            var range = await RangeAsync(shopId, start, end, user, analytics, cache, ct);
            return range.Error is { } error ? error.As<PlatformReport>() : TypedResults.Ok(await cache.GetOrSetAsync($"platforms:{range.Value!.ShopId}:{range.Value.From}:{range.Value.To}", (analytics, range.Value),
                static (s, ct) => new ValueTask<PlatformReport>(s.analytics.GetPlatformsAsync(s.Value, ct)), ReportCache.Sales, Scope(range.Value.ShopId), ct));
        }).WithSummary("Sales per sales channel.");

        var shelf = app.MapGroup("/api/smart-shelf").RequireAuthorization().WithTags("SmartShelf")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        shelf.MapGet("/dashboard/{shopId}", async Task<Results<Ok<ReportCache.ShelfDashboard>, ProblemHttpResult>> (string shopId, ClaimsPrincipal user, IAnalyticsReports analytics, CommerceCache cache, CancellationToken ct) =>
            !user.OwnsShop(shopId) ? ShopAccess.Forbidden(shopId) : TypedResults.Ok(await ReportCache.ShelfAsync(cache, analytics, shopId, ct)))
            .WithSummary("Inventory value and counts of at-risk, dead and expiring stock, with the first of each.");
        shelf.MapGet("/at-risk/{shopId}", async Task<Results<Ok<AtRiskPage>, ProblemHttpResult, ValidationProblem>> (string shopId, int? offset, int? limit, ClaimsPrincipal user, IAnalyticsReports analytics, CommerceCache cache, CancellationToken ct) =>
        {
            if (!user.OwnsShop(shopId))
            {
                return ShopAccess.Forbidden(shopId);
            }

            if (offset is < 0 || limit is < 1 or > 200)
            {
                return Invalid(offset is < 0 ? "offset" : "limit", "offset is at least 0; limit is 1 to 200 (default 50).");
            }

            var all = await cache.GetOrSetAsync($"at-risk:{shopId}", (analytics, shopId),
                static async (s, ct) => (await s.analytics.GetInventoryInsightsAsync(s.shopId, ct)).AtRisk, ReportCache.AtRisk, Scope(shopId), ct);
            var (from, count) = (offset ?? 0, limit ?? 50);
            return TypedResults.Ok(new AtRiskPage(all.Skip(from).Take(count).ToList(), all.Count, from, count));
        }).WithSummary("Products that run out within their lead time at the current velocity, most urgent first, a page at a time (offset, limit).");
        return app;
    }

    private static string Scope(string shopId) => ReportCache.Scope(shopId);

    /// <summary>The range asked for, by default the last <paramref name="days"/> (30) days up to the shop's today; or the error to answer.</summary>
    private static async Task<(ReportRange? Value, RangeError? Error)> RangeAsync(string shopId, DateOnly? start, DateOnly? end, ClaimsPrincipal user, IAnalyticsReports analytics, CommerceCache cache, CancellationToken ct, int? days = null)
    {
        if (!user.OwnsShop(shopId))
        {
            return (null, new RangeError(ShopAccess.Forbidden(shopId)));
        }

        if (days is < 1 or > 366 * 3 || (days is not null && start is not null))
        {
            return (null, new RangeError(Invalid("days", "days must be 1 to 1098, and not given with start.")));
        }

        var to = end ?? await ReportCache.TodayAsync(cache, analytics, shopId, ct);
        var from = start ?? to.AddDays(1 - (days ?? 30));
        if (from > to)
        {
            return (null, new RangeError(Invalid("start", "start must not be after end.")));
        }

        if (to.DayNumber - from.DayNumber > 366 * 3)
        {
            return (null, new RangeError(Invalid("start", "The range may cover at most three years.")));
        }

        return (new ReportRange(shopId, from, to), null);
    }

    /// <summary>Why a range can't be served: forbidden (not the user's shop) or invalid.</summary>
    private sealed record RangeError(ProblemHttpResult? Problem, ValidationProblem? Invalid)
    {
        public RangeError(ProblemHttpResult problem) : this(problem, null)
        {
        }

        public RangeError(ValidationProblem invalid) : this(null, invalid)
        {
        }

        public Results<Ok<T>, ProblemHttpResult, ValidationProblem> As<T>() =>
            Problem is not null ? Problem : Invalid!;
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
