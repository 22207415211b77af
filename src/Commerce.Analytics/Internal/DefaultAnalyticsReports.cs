using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Commerce.Analytics.Internal;

/// <summary>Reports from the summary tables. Each is one or two round trips.</summary>
internal sealed partial class DefaultAnalyticsReports(
    AnalyticsConnections connections,
    IOptions<AnalyticsOptions> options,
    TimeProvider time,
    AnalyticsMetrics metrics) : IAnalyticsReports
{
    private readonly string _s = connections.Schema;
    private readonly AnalyticsOptions _options = options.Value;

    public async Task<DateOnly> GetTodayAsync(string shopId, CancellationToken cancellationToken = default)
    {
        var (timeZone, _) = await ShopAsync(shopId, cancellationToken).ConfigureAwait(false);
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), AnalyticsValidation.TimeZone(timeZone)).DateTime);
    }

    public async Task<SalesSeries> GetSalesAsync(ReportRange range, SalesInterval interval, CancellationToken cancellationToken = default)
    {
        Check(range);
        var started = Stopwatch.GetTimestamp();
        var currency = await CurrencyAsync(range, cancellationToken).ConfigureAwait(false);
        var unit = interval switch { SalesInterval.Week => "week", SalesInterval.Month => "month", _ => "day" };
        await using var command = connections.DataSource.CreateCommand(
            $"""
            with buckets as (
                select generate_series(date_trunc('{unit}', @from::timestamp), date_trunc('{unit}', @to::timestamp), interval '1 {unit}')::date as period),
            data as (
                select date_trunc('{unit}', day::timestamp)::date as period, sum(revenue - discounts - returns) as revenue, sum(orders) as orders, sum(units) as units,
                       sum(revenue - discounts - returns - cost - platform_fees) as profit, sum(returns) as returns
                  from {_s}.daily_sales
                 where shop_id = @shop and currency = @currency and day between @from and @to
                 group by 1)
            select b.period, coalesce(d.revenue, 0), coalesce(d.orders, 0)::int, coalesce(d.units, 0)::int, coalesce(d.profit, 0), coalesce(d.returns, 0)
              from buckets b left join data d using (period)
             order by b.period
            """);
        AddRange(command, range, currency);
        var points = new List<SalesPoint>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                points.Add(new SalesPoint(reader.GetFieldValue<DateOnly>(0), reader.GetDecimal(1), reader.GetInt32(2), reader.GetInt32(3)) { GrossProfit = reader.GetDecimal(4), Returns = reader.GetDecimal(5) });
            }
        }

        metrics.Report("sales", Stopwatch.GetElapsedTime(started));
        return new SalesSeries(range, currency, interval, points);
    }

    public async Task<ProfitReport> GetProfitAsync(ReportRange range, int maxProducts = 50, CancellationToken cancellationToken = default)
    {
        Check(range);
        var started = Stopwatch.GetTimestamp();
        var currency = await CurrencyAsync(range, cancellationToken).ConfigureAwait(false);
        // Two independent reads on two pooled connections, concurrently.
        var totalsRead = TotalsAsync(range, currency, range.From, range.To, cancellationToken);
        var productsRead = ProductTotalsAsync(range, currency, maxProducts, cancellationToken);
        await Task.WhenAll(totalsRead, productsRead).ConfigureAwait(false);
        var totals = await totalsRead.ConfigureAwait(false);
        var products = await productsRead.ConfigureAwait(false);
        metrics.Report("profit", Stopwatch.GetElapsedTime(started));
        return new ProfitReport(range, currency, totals.NetSales, totals.Cost, totals.GrossProfit, Margin(totals.NetSales, totals.GrossProfit),
            products.Select(p => new ProductProfit(p.ProductId, p.Name, p.Revenue, p.Cost, p.Revenue - p.Cost, Margin(p.Revenue, p.Revenue - p.Cost), p.Units)
            {
                Returns = p.Returns,
                UnitsReturned = p.ReturnedUnits,
            }).ToArray())
        {
            Discounts = totals.Discounts,
            Returns = totals.Returns,
            PlatformFees = totals.PlatformFees,
        };
    }

    public async Task<PlatformReport> GetPlatformsAsync(ReportRange range, CancellationToken cancellationToken = default)
    {
        Check(range);
        var started = Stopwatch.GetTimestamp();
        var currency = await CurrencyAsync(range, cancellationToken).ConfigureAwait(false);
        await using var command = connections.DataSource.CreateCommand(
            $"""
            select platform, sum(revenue - discounts - returns), sum(cost), sum(orders)::int, sum(units)::int, sum(discounts), sum(platform_fees), sum(returns)
              from {_s}.daily_sales
             where shop_id = @shop and currency = @currency and day between @from and @to
             group by platform
            having sum(orders) <> 0 or sum(revenue) <> 0 or sum(units) <> 0 or sum(returns) <> 0
             order by sum(revenue - discounts - returns) desc, platform
            """);
        AddRange(command, range, currency);
        var rows = new List<(string Platform, decimal Revenue, decimal Cost, int Orders, int Units, decimal Discounts, decimal Fees, decimal Returns)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((reader.GetString(0), reader.GetDecimal(1), reader.GetDecimal(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetDecimal(5), reader.GetDecimal(6), reader.GetDecimal(7)));
            }
        }

        var total = rows.Sum(r => r.Revenue);
        metrics.Report("platforms", Stopwatch.GetElapsedTime(started));
        return new PlatformReport(range, currency, rows.Select(r => new PlatformSales(
            r.Platform, r.Revenue, r.Orders, r.Units,
            r.Orders == 0 ? null : Math.Round(r.Revenue / r.Orders, 4),
            total == 0 ? null : Math.Round(r.Revenue / total, 6),
            r.Revenue - r.Cost - r.Fees) { Discounts = r.Discounts, PlatformFees = r.Fees, Returns = r.Returns }).ToArray());
    }

    public async Task<DashboardMetrics> GetDashboardAsync(ReportRange range, int topProducts = 5, CancellationToken cancellationToken = default)
    {
        Check(range);
        var started = Stopwatch.GetTimestamp();
        var currency = await CurrencyAsync(range, cancellationToken).ConfigureAwait(false);
        var days = range.To.DayNumber - range.From.DayNumber + 1;
        var now = await TotalsAsync(range, currency, range.From, range.To, cancellationToken).ConfigureAwait(false);
        var before = await TotalsAsync(range, currency, range.From.AddDays(-days), range.From.AddDays(-1), cancellationToken).ConfigureAwait(false);
        var top = await ProductTotalsAsync(range, currency, topProducts, cancellationToken).ConfigureAwait(false);
        var aov = now.Orders == 0 ? 0 : Math.Round(now.NetSales / now.Orders, 4);
        var previousAov = before.Orders == 0 ? 0 : Math.Round(before.NetSales / before.Orders, 4);
        metrics.Report("dashboard", Stopwatch.GetElapsedTime(started));
        return new DashboardMetrics
        {
            Range = range,
            Currency = currency,
            Revenue = now.NetSales,
            GrossSales = now.GrossSales,
            Discounts = now.Discounts,
            Returns = now.Returns,
            Shipping = now.Shipping,
            Taxes = now.Taxes,
            Cogs = now.Cost,
            PlatformFees = now.PlatformFees,
            Orders = now.Orders,
            AverageOrderValue = aov,
            Units = now.Units,
            GrossProfit = now.GrossProfit,
            PreviousRevenue = before.NetSales,
            PreviousOrders = before.Orders,
            RevenueChange = Change(now.NetSales, before.NetSales),
            OrdersChange = Change(now.Orders, before.Orders),
            AverageOrderValueChange = Change(aov, previousAov),
            UnitsChange = Change(now.Units, before.Units),
            TopProducts = top.Select(p => new TopProduct(p.ProductId, p.Name, p.Revenue, p.Units)).ToArray(),
        };
    }

    public async Task<IReadOnlyList<string>> GetActiveShopsAsync(int days = 30, int limit = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(days);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var command = connections.DataSource.CreateCommand(
            $"select shop_id from {_s}.daily_sales where day >= @since group by shop_id order by sum(orders) desc, shop_id limit @limit");
        command.Parameters.AddWithValue("since", DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(-days));
        command.Parameters.AddWithValue("limit", limit);
        var shops = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            shops.Add(reader.GetString(0));
        }

        return shops;
    }

    private async Task<Totals> TotalsAsync(ReportRange range, string currency, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(
            $"""
            select coalesce(sum(revenue), 0), coalesce(sum(cost), 0), coalesce(sum(orders), 0)::int, coalesce(sum(units), 0)::int, count(*)::int,
                   coalesce(sum(discounts), 0), coalesce(sum(shipping), 0), coalesce(sum(taxes), 0), coalesce(sum(platform_fees), 0), coalesce(sum(returns), 0)
              from {_s}.daily_sales
             where shop_id = @shop and currency = @currency and day between @from and @to
            """);
        command.Parameters.AddWithValue("shop", range.ShopId);
        command.Parameters.AddWithValue("currency", currency);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new Totals(reader.GetDecimal(0), reader.GetDecimal(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4),
            reader.GetDecimal(5), reader.GetDecimal(6), reader.GetDecimal(7), reader.GetDecimal(8), reader.GetDecimal(9));
    }

    /// <summary>The sums of the summary rows of a range, and the figures defined on them.</summary>
    private readonly record struct Totals(
        decimal GrossSales, decimal Cost, int Orders, int Units, int Rows, decimal Discounts, decimal Shipping, decimal Taxes, decimal PlatformFees, decimal Returns)
    {
        public decimal NetSales => GrossSales - Discounts - Returns;

        public decimal GrossProfit => NetSales - Cost - PlatformFees;
    }

    private async Task<List<(string ProductId, string? Name, decimal Revenue, decimal Cost, int Units, decimal Returns, int ReturnedUnits)>> ProductTotalsAsync(ReportRange range, string currency, int limit, CancellationToken cancellationToken)
    {
        var parts = RangeParts.Of(range.From, range.To);
        await using var command = connections.DataSource.CreateCommand(
            $"""
            with parts as (
                select product_id, revenue, cost, units, returns, returned_units from {_s}.monthly_product_sales
                 where shop_id = @shop and currency = @currency and month between @first_month and @last_month
                union all
                select product_id, revenue, cost, units, returns, returned_units from {_s}.daily_product_sales
                 where shop_id = @shop and currency = @currency and day between @head_from and @head_to
                union all
                select product_id, revenue, cost, units, returns, returned_units from {_s}.daily_product_sales
                 where shop_id = @shop and currency = @currency and day between @tail_from and @tail_to
                union all
                select product_id, -revenue, -cost, -units, -returns, -returned_units from {_s}.daily_product_sales
                 where shop_id = @shop and currency = @currency and day between @minus_head_from and @minus_head_to
                union all
                select product_id, -revenue, -cost, -units, -returns, -returned_units from {_s}.daily_product_sales
                 where shop_id = @shop and currency = @currency and day between @minus_tail_from and @minus_tail_to),
            totals as (
                select product_id, sum(revenue - returns) as revenue, sum(cost) as cost, sum(units)::int as units, sum(returns) as returns,
                       sum(returned_units)::int as returned_units
                  from parts group by product_id having sum(units) <> 0 or sum(revenue) <> 0 or sum(returns) <> 0 or sum(returned_units) <> 0
                 order by sum(revenue - returns) desc, product_id
                 limit @limit)
            select t.product_id, nullif(p.name, ''), t.revenue, t.cost, t.units, t.returns, t.returned_units
              from totals t left join {_s}.products p on p.shop_id = @shop and p.product_id = t.product_id
             order by t.revenue desc, t.product_id
            """);
        command.Parameters.AddWithValue("shop", range.ShopId);
        command.Parameters.AddWithValue("currency", currency);
        command.Parameters.AddWithValue("first_month", parts.FirstMonth ?? DateOnly.MaxValue);
        command.Parameters.AddWithValue("last_month", parts.LastMonth ?? DateOnly.MinValue);
        command.Parameters.AddWithValue("head_from", parts.Head.From);
        command.Parameters.AddWithValue("head_to", parts.Head.To);
        command.Parameters.AddWithValue("tail_from", parts.Tail.From);
        command.Parameters.AddWithValue("tail_to", parts.Tail.To);
        command.Parameters.AddWithValue("minus_head_from", parts.MinusHead.From);
        command.Parameters.AddWithValue("minus_head_to", parts.MinusHead.To);
        command.Parameters.AddWithValue("minus_tail_from", parts.MinusTail.From);
        command.Parameters.AddWithValue("minus_tail_to", parts.MinusTail.To);
        command.Parameters.AddWithValue("limit", Math.Max(0, limit));
        var list = new List<(string, string?, decimal, decimal, int, decimal, int)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetDecimal(2), reader.GetDecimal(3), reader.GetInt32(4), reader.GetDecimal(5), reader.GetInt32(6)));
        }

        return list;
    }

    private async Task<(string TimeZone, string? Currency)> ShopAsync(string shopId, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand($"select time_zone, currency from {_s}.shops where shop_id = @shop");
        command.Parameters.AddWithValue("shop", shopId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1))
            : (_options.DefaultTimeZone, null);
    }

    private async Task<string> CurrencyAsync(ReportRange range, CancellationToken cancellationToken) =>
        range.Currency ?? (await ShopAsync(range.ShopId, cancellationToken).ConfigureAwait(false)).Currency ?? _options.DefaultCurrency;

    private static void AddRange(NpgsqlCommand command, ReportRange range, string currency)
    {
        command.Parameters.AddWithValue("shop", range.ShopId);
        command.Parameters.AddWithValue("currency", currency);
        command.Parameters.AddWithValue("from", range.From);
        command.Parameters.AddWithValue("to", range.To);
    }

    private static void Check(ReportRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        var errors = new AnalyticsValidation.Errors();
        if (string.IsNullOrWhiteSpace(range.ShopId))
        {
            errors.Add("shopId", "A shop id is required.");
        }

        if (range.To < range.From)
        {
            errors.Add("end", "The range must not end before it starts.");
        }
        else if (range.To.DayNumber - range.From.DayNumber > 3660)
        {
            errors.Add("end", "A range is at most ten years.");
        }

        if (range.Currency is not null && !AnalyticsValidation.IsCurrency(range.Currency))
        {
            errors.Add("currency", "Currency must be a three-letter ISO 4217 code.");
        }

        errors.ThrowIfAny();
    }

    private static decimal? Margin(decimal revenue, decimal profit) => revenue == 0 ? null : Math.Round(profit / revenue, 6);

    private static decimal? Change(decimal now, decimal before) => before == 0 ? null : Math.Round((now - before) / before, 6);

    private static string Name(string name, string productId) => name.Length == 0 ? productId : name;
}
