-- SmartShelf's at-risk list of one shop on local day @today: every product out of stock (first, fastest sellers first),
-- then every product at or below its reorder point, fewest days of cover first. One rule for listing and for the
-- reorder point: ceil(velocity x (lead time + safety days)).
--   life      a product's current life began when a newer snapshot recreated it after a delete, else at the first
--             evidence of it: its first snapshot, or the start of the local day of its first sale when that day came
--             before the first snapshot's (a store that syncs its catalogue today with its past orders sold those
--             products before the library saw them)
--   velocity  units sold in the window (the last @window local days, from the product's current life on) over the
--             days it was in stock in that window (its reported stock levels; before the first level reported, it
--             counts as in stock), at least the days it sold on and at least 1
--   ABC       by revenue in the shop's currency in the window, among all its products: cumulative share <= 80% A,
--             <= 95% B, else C (and C without revenue)
with currencies as (select array_agg(distinct currency) as list from {schema}.daily_sales where shop_id = @shop),
bounds as (
    select ((@today - @window + 1)::timestamp at time zone @tz) as w_start, ((@today + 1)::timestamp at time zone @tz) as w_end),
alive as (
    select p.product_id, p.name, p.sku, p.stock, coalesce(p.lead_time_days, @lead) as lead,
           greatest(b.w_start, life.began) as since, b.w_end, (greatest(b.w_start, life.began) at time zone @tz)::date as since_day
      from {schema}.products p
     cross join bounds b
     cross join lateral (
        select coalesce(p.life_started_at,
               case when p.first_seen_at <= b.w_start then p.first_seen_at   -- before the window: the window is its life
                    else least(p.first_seen_at, (select min(d.day) from {schema}.daily_product_sales d   -- the partial index on sale days
                                                  where d.shop_id = @shop and d.product_id = p.product_id and d.units > 0
                                                    and d.day < (p.first_seen_at at time zone @tz)::date)::timestamp at time zone @tz)
               end) as began) life
     where p.shop_id = @shop and not p.deleted),
-- the window's sales per product (an index-only range scan), minus what products whose life began inside the window
-- sold before it (few: recreated or new products)
window_sales as (
    select d.product_id, sum(d.units) as units, coalesce(sum(d.revenue) filter (where d.currency = @currency), 0) as revenue,
           count(*) filter (where d.units > 0) as sale_days
      from {schema}.daily_product_sales d, currencies c
     where d.shop_id = @shop and d.currency = any(c.list) and d.day > @today - @window and d.day <= @today
     group by d.product_id),
before_life as (
    select d.product_id, sum(d.units) as units, coalesce(sum(d.revenue) filter (where d.currency = @currency), 0) as revenue,
           count(*) as sale_days
      from alive a
      join {schema}.daily_product_sales d
        on d.shop_id = @shop and d.product_id = a.product_id and d.units > 0 and d.day > @today - @window and d.day < a.since_day
     where a.since_day > @today - @window + 1
     group by d.product_id),
sales as (
    select w.product_id, w.units - coalesce(b.units, 0) as units, w.revenue - coalesce(b.revenue, 0) as revenue,
           w.sale_days - coalesce(b.sale_days, 0) as sale_days
      from window_sales w left join before_life b on b.product_id = w.product_id),
levels as (
    select l.product_id, l.stock, l.at, lead(l.at) over (partition by l.product_id order by l.at) as next_at,
           min(l.at) over (partition by l.product_id) as first_at
      from {schema}.stock_levels l
     where l.shop_id = @shop),
in_stock as (
    select a.product_id,
           coalesce(sum(extract(epoch from least(coalesce(l.next_at, a.w_end), a.w_end) - greatest(l.at, a.since)))
                    filter (where l.stock > 0 and coalesce(l.next_at, a.w_end) > a.since and l.at < a.w_end), 0)
           + extract(epoch from greatest(interval '0', least(coalesce(min(l.first_at), a.w_end), a.w_end) - a.since)) as seconds
      from alive a
      left join levels l on l.product_id = a.product_id
     group by a.product_id, a.since, a.w_end),
figures as (
    select a.product_id, a.name, a.sku, a.stock, a.lead, coalesce(s.units, 0) as units, coalesce(s.revenue, 0) as revenue,
           case when coalesce(s.units, 0) = 0 then 0::numeric
                else s.units / greatest(1, i.seconds / 86400.0, s.sale_days) end as velocity
      from alive a
      join in_stock i on i.product_id = a.product_id
      left join sales s on s.product_id = a.product_id),
ranked as (
    select f.*, ceil(f.velocity * (f.lead + @safety))::int as reorder_point,
           case when f.revenue <= 0 then 'C'
                when sum(f.revenue) over (order by f.revenue desc, f.product_id) <= 0.80 * sum(f.revenue) over () then 'A'
                when sum(f.revenue) over (order by f.revenue desc, f.product_id) <= 0.95 * sum(f.revenue) over () then 'B'
                else 'C' end as abc
      from figures f)
select product_id, name, sku, stock, velocity, lead, reorder_point, units, abc
  from ranked
 where stock = 0 or (velocity > 0 and stock <= reorder_point)
 order by stock > 0, case when stock = 0 then -velocity else stock / velocity end, product_id
