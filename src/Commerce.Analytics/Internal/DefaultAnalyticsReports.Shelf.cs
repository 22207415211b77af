using System.Diagnostics;
using Npgsql;

namespace Commerce.Analytics.Internal;

/// <summary>SmartShelf: inventory value per currency, the at-risk list (<c>Sql/at_risk.sql</c>), dead and expiring stock, in one round trip.</summary>
internal sealed partial class DefaultAnalyticsReports
{
    public async Task<InventoryInsights> GetInventoryInsightsAsync(string shopId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(shopId);
        var started = Stopwatch.GetTimestamp();
        var (timeZone, shopCurrency) = await ShopAsync(shopId, cancellationToken).ConfigureAwait(false);
        var currency = shopCurrency ?? _options.DefaultCurrency;
        var now = time.GetUtcNow().ToUniversalTime();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, AnalyticsValidation.TimeZone(timeZone)).DateTime);
        await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(Command(
            $"select coalesce(currency, @currency), count(*)::int, coalesce(sum(stock * cost), 0) from {_s}.products where shop_id = @shop and not deleted group by 1"));
        batch.BatchCommands.Add(Command(connections.Sql("at_risk.sql")));
        // Dead stock: a product sold in any month after the one the window starts in sold within the window (the current
        // month has no day after today); only the others are looked up day by day.
        batch.BatchCommands.Add(Command(
            $"""
            with sold_recently as materialized (
                select distinct product_id from {_s}.monthly_product_sales
                 where shop_id = @shop and units > 0
                   and month > date_trunc('month', (@today - @dead + 1)::timestamp)::date and month <= @today),
            candidates as materialized (
                -- the day its current life began, by the rule of Sql/at_risk.sql: recreated, else first snapshot or first sale
                select p.*, coalesce((p.life_started_at at time zone @tz)::date, least((p.first_seen_at at time zone @tz)::date,
                       (select min(d.day) from {_s}.daily_product_sales d
                         where d.shop_id = p.shop_id and d.product_id = p.product_id and d.units > 0))) as life_day
                  from {_s}.products p
                 where p.shop_id = @shop and not p.deleted and p.stock > 0
                   and not exists (select 1 from sold_recently r where r.product_id = p.product_id))
            select p.product_id, p.name, p.stock, last.day, p.stock * p.cost,
                   @today - coalesce(last.day, p.life_day)
              from candidates p
              left join lateral (
                select max(d.day) as day from {_s}.daily_product_sales d
                 where d.shop_id = p.shop_id and d.product_id = p.product_id and d.units > 0 and d.day <= @today and d.day >= p.life_day) last on true
             where coalesce(last.day, p.life_day) <= @today - @dead
             order by p.stock * p.cost desc, p.product_id
            """));
        batch.BatchCommands.Add(Command(
            $"""
            select product_id, name, stock, expires_at
              from {_s}.products
             where shop_id = @shop and not deleted and stock > 0 and expires_at is not null
               and expires_at <= @now + make_interval(days => @warning)
             order by expires_at, product_id
            """));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var count = 0;
        var values = new Dictionary<string, decimal>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            count += reader.GetInt32(1);
            values[reader.GetString(0)] = reader.GetDecimal(2);
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var atRisk = new List<AtRiskProduct>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var stock = reader.GetInt32(3);
            var velocity = reader.GetDecimal(4);
            var units = reader.GetInt64(7);
            var cover = velocity == 0 ? 0m : stock / velocity;
            atRisk.Add(new AtRiskProduct(
                reader.GetString(0), Name(reader.GetString(1), reader.GetString(0)), reader.IsDBNull(2) ? null : reader.GetString(2), stock,
                Math.Round(velocity, 4), Math.Round(cover, 2), reader.GetInt32(5), reader.GetInt32(6))
            {
                StockOutDate = stock == 0 ? today : velocity > 0 ? today.AddDays((int)Math.Min(Math.Floor(cover), 36500)) : null,
                SellThroughRate = units + stock == 0 ? null : Math.Round(units / (decimal)(units + stock), 4),
                AbcClass = reader.GetString(8),
            });
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var dead = new List<DeadStockProduct>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            dead.Add(new DeadStockProduct(
                reader.GetString(0), Name(reader.GetString(1), reader.GetString(0)), reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateOnly>(3), reader.GetInt32(5), reader.GetDecimal(4)));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var expiring = new List<ExpiringProduct>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var expires = reader.GetFieldValue<DateTimeOffset>(3);
            expiring.Add(new ExpiringProduct(reader.GetString(0), Name(reader.GetString(1), reader.GetString(0)), reader.GetInt32(2), expires, (int)Math.Floor((expires - now).TotalDays)));
        }

        metrics.Report("inventory", Stopwatch.GetElapsedTime(started));
        return new InventoryInsights(shopId, today, count, values.GetValueOrDefault(currency), atRisk, dead, expiring) { InventoryValueByCurrency = values };

        NpgsqlBatchCommand Command(string sql) => new(sql)
        {
            Parameters =
            {
                new("shop", shopId),
                new("today", today),
                new("now", now),
                new("tz", timeZone),
                new("window", _options.VelocityWindowDays),
                new("currency", currency),
                new("safety", _options.SafetyStockDays),
                new("lead", _options.DefaultLeadTimeDays),
                new("dead", _options.DeadStockDays),
                new("warning", _options.ExpiryWarningDays),
            },
        };
    }
}
