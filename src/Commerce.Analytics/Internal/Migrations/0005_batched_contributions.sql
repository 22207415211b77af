-- The contribution of many orders to the summaries in one statement: the orders' deltas are folded
-- per summary row (day and platform, day and product, month and product) and each row is written once, in key order,
-- so a batch of a hot shop's orders updates its hot rows once instead of once per order, and concurrent writers
-- take the rows' locks in the same order. Only orders that count as sales contribute. The one-order function is the
-- same rule for one order. The orders are driven from the array (unnest) and the plan is generic: planned for the
-- value of the shop id, a shop that became hot since the last ANALYZE looks like a tiny one, and its orders would be
-- read through (shop) alone, every one of them per batch; the generic plan looks each order up by (shop, order).

create or replace function {schema}.apply_orders_contribution(p_shop text, p_orders text[], p_sign int) returns void language plpgsql
set plan_cache_mode = force_generic_plan as $$
begin
    -- One statement: the orders and their lines are read once, and each summary table written from that read.
    with lines as (
        select o.order_id, (o.created_at at time zone s.time_zone)::date as day, o.platform, o.currency,
               o.discount, o.shipping, o.tax, o.platform_fee, l.product_id, l.quantity, l.unit_price, l.unit_cost
          from unnest(p_orders) as x(order_id)
          join {schema}.orders o on o.shop_id = p_shop and o.order_id = x.order_id
          join {schema}.shops s on s.shop_id = o.shop_id
          left join {schema}.order_lines l on l.shop_id = o.shop_id and l.order_id = o.order_id
         where o.counted),
    per_order as (   -- an order without lines still counts as one order
        select day, platform, currency, coalesce(sum(quantity * unit_price), 0) as revenue, coalesce(sum(quantity * unit_cost), 0) as cost,
               coalesce(sum(quantity), 0) as units, discount, shipping, tax, platform_fee
          from lines
         group by order_id, day, platform, currency, discount, shipping, tax, platform_fee),
    per_product_day as (
        select day, product_id, currency, sum(quantity * unit_price) as revenue, sum(quantity * unit_cost) as cost, sum(quantity) as units
          from lines
         where product_id is not null
         group by day, product_id, currency),
    sales as (
        insert into {schema}.daily_sales as t (shop_id, day, platform, currency, revenue, cost, orders, units, discounts, shipping, taxes, platform_fees)
        select p_shop, day, platform, currency, p_sign * sum(revenue), p_sign * sum(cost), p_sign * count(*), p_sign * sum(units),
               p_sign * sum(discount), p_sign * sum(shipping), p_sign * sum(tax), p_sign * sum(platform_fee)
          from per_order
         group by day, platform, currency
         order by currency, day, platform
        on conflict (shop_id, currency, day, platform) do update
           set revenue = t.revenue + excluded.revenue, cost = t.cost + excluded.cost,
               orders = t.orders + excluded.orders, units = t.units + excluded.units,
               discounts = t.discounts + excluded.discounts, shipping = t.shipping + excluded.shipping,
               taxes = t.taxes + excluded.taxes, platform_fees = t.platform_fees + excluded.platform_fees),
    product_days as (
        insert into {schema}.daily_product_sales as t (shop_id, day, product_id, currency, revenue, cost, units)
        select p_shop, day, product_id, currency, p_sign * revenue, p_sign * cost, p_sign * units
          from per_product_day
         order by currency, day, product_id
        on conflict (shop_id, currency, day, product_id) do update
           set revenue = t.revenue + excluded.revenue, cost = t.cost + excluded.cost, units = t.units + excluded.units)
    insert into {schema}.monthly_product_sales as t (shop_id, month, product_id, currency, revenue, cost, units)
    select p_shop, date_trunc('month', day)::date, product_id, currency, p_sign * sum(revenue), p_sign * sum(cost), p_sign * sum(units)
      from per_product_day
     group by date_trunc('month', day)::date, product_id, currency
     order by currency, 2, product_id
    on conflict (shop_id, currency, month, product_id) do update
       set revenue = t.revenue + excluded.revenue, cost = t.cost + excluded.cost, units = t.units + excluded.units;
end;
$$;

create or replace function {schema}.apply_order_contribution(p_shop text, p_order text, p_sign int) returns void language sql as $$
    select {schema}.apply_orders_contribution(p_shop, array[p_order], p_sign);
$$;
