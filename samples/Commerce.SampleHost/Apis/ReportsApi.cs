using System.Security.Claims;
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
    public sealed record SalesBucket(DateOnly Period, decimal Revenue, int Orders, int Units);

    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/reports").RequireAuthorization().WithTags("Reports");
        reports.MapGet("/metrics", async (string shopId, DateOnly? start, DateOnly? end, ClaimsPrincipal user, IAnalyticsReports analytics, CommerceCache cache, CancellationToken ct) =>
        {
            var range = await RangeAsync(shopId, start, end, user, analytics, cache, ct);
            if (range.Error is { } error)
            {
                return error;
            }

            return TypedResults.Ok(await ReportCache.MetricsAsync(cache, analytics, range.Value!, ct));
        }).WithSummary("Revenue, orders, average order value, profit, units, change against the previous period, best sellers.");

        reports.MapGet("/sales-summary", async (string shopId, DateOnly? start, DateOnly? end, string? interval, ClaimsPrincipal user, IAnalyticsReports analytics, CommerceCache cache, CancellationToken ct) =>
        {
            if (!Enum.TryParse<SalesInterval>(interval ?? "day", ignoreCase: true, out var unit) || !Enum.IsDefined(unit))
            {
                return Invalid("interval", "interval must be day, week or month.");
            }

            var range = await RangeAsync(shopId, start, end, user, analytics, cache, ct);
            if (range.Error is { } error)
            {
                return error;
            }

            var r = range.Value!;
            return TypedResults.Ok(await cache.GetOrSetAsync($"sales:{r.ShopId}:{r.From}:{r.To}:{unit}", (analytics, r, unit), static async (s, ct) =>
                (await s.analytics.GetSalesAsync(s.r, s.unit, ct)).Points.Select(p => new SalesBucket(p.Period, p.Revenue, p.Orders, p.Units)).ToList(),
                ReportCache.Sales, Scope(r.ShopId), ct));
        }).WithSummary("Sales per day, week or month in the shop's time zone, empty buckets included.");

        reports.MapGet("/profit-analysis", async (string shopId, DateOnly? start, DateOnly? end, ClaimsPrincipal user, IAnalyticsReports analytics, CommerceCache cache, CancellationToken ct) =>
        {
            var range = await RangeAsync(shopId, start, end, user, analytics, cache, ct);
            return range.Error ?? TypedResults.Ok(await cache.GetOrSetAsync($"profit:{range.Value!.ShopId}:{range.Value.From}:{range.Value.To}", (analytics, range.Value),
                static (s, ct) => new ValueTask<ProfitReport>(s.analytics.GetProfitAsync(s.Value, 50, ct)), ReportCache.Sales, Scope(range.Value.ShopId), ct));
        }).WithSummary("Revenue, cost, gross profit and margin, overall and per product.");

        reports.MapGet("/platform-comparison", async (string shopId, DateOnly? start, DateOnly? end, ClaimsPrincipal user, IAnalyticsReports analytics, CommerceCache cache, CancellationToken ct) =>
        {
            var range = await RangeAsync(shopId, start, end, user, analytics, cache, ct);
            return range.Error ?? TypedResults.Ok(await cache.GetOrSetAsync($"platforms:{range.Value!.ShopId}:{range.Value.From}:{range.Value.To}", (analytics, range.Value),
                static (s, ct) => new ValueTask<PlatformReport>(s.analytics.GetPlatformsAsync(s.Value, ct)), ReportCache.Sales, Scope(range.Value.ShopId), ct));
        }).WithSummary("Sales per sales channel.");

        var shelf = app.MapGroup("/api/smart-shelf").RequireAuthorization().WithTags("SmartShelf");
        shelf.MapGet("/dashboard/{shopId}", async (string shopId, ClaimsPrincipal user, IAnalyticsReports analytics, CommerceCache cache, CancellationToken ct) =>
            !user.OwnsShop(shopId) ? ShopAccess.Forbidden(shopId) : TypedResults.Ok(await ReportCache.ShelfAsync(cache, analytics, shopId, ct)))
            .WithSummary("Inventory value and counts of at-risk, dead and expiring stock, with the first of each.");
        shelf.MapGet("/at-risk/{shopId}", async (string shopId, ClaimsPrincipal user, IAnalyticsReports analytics, CommerceCache cache, CancellationToken ct) =>
            !user.OwnsShop(shopId) ? ShopAccess.Forbidden(shopId) : TypedResults.Ok(await cache.GetOrSetAsync($"at-risk:{shopId}", (analytics, shopId),
                static async (s, ct) => (await s.analytics.GetInventoryInsightsAsync(s.shopId, ct)).AtRisk, ReportCache.AtRisk, Scope(shopId), ct)))
            .WithSummary("Products that run out within their lead time at the current velocity, with days of cover and a reorder point.");
        return app;
    }

    private static string Scope(string shopId) => ReportCache.Scope(shopId);

    /// <summary>The range asked for, by default the last 30 days up to the shop's today; or the error to answer.</summary>
    private static async Task<(ReportRange? Value, IResult? Error)> RangeAsync(string shopId, DateOnly? start, DateOnly? end, ClaimsPrincipal user, IAnalyticsReports analytics, CommerceCache cache, CancellationToken ct)
    {
        if (!user.OwnsShop(shopId))
        {
            return (null, ShopAccess.Forbidden(shopId));
        }

        var to = end ?? await ReportCache.TodayAsync(cache, analytics, shopId, ct);
        var from = start ?? to.AddDays(-29);
        if (from > to)
        {
            return (null, Invalid("start", "start must not be after end."));
        }

        if (to.DayNumber - from.DayNumber > 366 * 3)
        {
            return (null, Invalid("start", "The range may cover at most three years."));
        }

        return (new ReportRange(shopId, from, to), null);
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
