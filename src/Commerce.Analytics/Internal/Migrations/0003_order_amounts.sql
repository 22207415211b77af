-- Order-level amounts (Shopify's and WooCommerce's definitions): discount, shipping, tax and the platform's fee, in
-- the order's currency, booked on the order's day with its sales. Net sales = gross sales (price x quantity) minus
-- discounts; gross profit = net sales minus cost of goods minus platform fees.

alter table {schema}.orders
    add column discount numeric(19, 4) not null default 0,
    add column shipping numeric(19, 4) not null default 0,
    add column tax numeric(19, 4) not null default 0,
    add column platform_fee numeric(19, 4) not null default 0;

alter table {schema}.daily_sales
    add column discounts numeric(19, 4) not null default 0,
    add column shipping numeric(19, 4) not null default 0,
    add column taxes numeric(19, 4) not null default 0,
    add column platform_fees numeric(19, 4) not null default 0;

-- The contribution of orders to the summaries, with these amounts, is migration 0005's apply_orders_contribution.

-- Recomputes the summaries of a shop for local days [p_from, p_to] from the base tables, in one pass over the
-- lines (grouping sets: by day and platform, by day and product); months are rolled up from the product days, and
-- order counts come from the orders themselves.
create or replace function {schema}.rebuild_summaries(p_shop text, p_from date, p_to date) returns void language plpgsql as $$
declare
    tz text := (select time_zone from {schema}.shops where shop_id = p_shop);
    first_month date := date_trunc('month', p_from)::date;
    last_month date := date_trunc('month', p_to)::date;
    lower_bound timestamptz := (date_trunc('month', p_from)::timestamp at time zone tz);
    upper_bound timestamptz := ((date_trunc('month', p_to) + interval '1 month')::timestamp at time zone tz);
begin
    perform set_config('work_mem', '256MB', true);
    delete from {schema}.daily_sales where shop_id = p_shop and day between p_from and p_to;
    delete from {schema}.daily_product_sales where shop_id = p_shop and day between p_from and p_to;
    -- months are rebuilt whole, so a range that cuts a month still leaves it right
    delete from {schema}.monthly_product_sales where shop_id = p_shop and month between first_month and last_month;

    create temporary table if not exists rebuild_agg (day date, platform text, product_id text, currency text,
        revenue numeric, cost numeric, units bigint, by_product boolean) on commit drop;
    truncate rebuild_agg;
    insert into rebuild_agg
    select (o.created_at at time zone tz)::date, o.platform, l.product_id, o.currency,
           sum(l.quantity * l.unit_price), sum(l.quantity * l.unit_cost), sum(l.quantity), grouping(o.platform) = 1
      from {schema}.orders o
      join {schema}.order_lines l on l.shop_id = o.shop_id and l.order_id = o.order_id
     where o.shop_id = p_shop and o.counted and o.created_at >= lower_bound and o.created_at < upper_bound
     group by grouping sets (((o.created_at at time zone tz)::date, o.platform, o.currency),
                             ((o.created_at at time zone tz)::date, l.product_id, o.currency));

    insert into {schema}.daily_sales (shop_id, day, platform, currency, revenue, cost, orders, units, discounts, shipping, taxes, platform_fees)
    select p_shop, c.day, c.platform, c.currency, coalesce(a.revenue, 0), coalesce(a.cost, 0), c.orders, coalesce(a.units, 0),
           c.discounts, c.shipping, c.taxes, c.platform_fees
      from (select (created_at at time zone tz)::date as day, platform, currency, count(*) as orders,
                   sum(discount) as discounts, sum(shipping) as shipping, sum(tax) as taxes, sum(platform_fee) as platform_fees
              from {schema}.orders
             where shop_id = p_shop and counted and created_at >= lower_bound and created_at < upper_bound
             group by 1, 2, 3) c
      left join rebuild_agg a on not a.by_product and a.day = c.day and a.platform = c.platform and a.currency = c.currency
     where c.day between p_from and p_to;

    insert into {schema}.daily_product_sales (shop_id, day, product_id, currency, revenue, cost, units)
    select p_shop, day, product_id, currency, revenue, cost, units
      from rebuild_agg where by_product and day between p_from and p_to
     order by currency, day, product_id;  -- heap in key order: range reads touch few pages

    insert into {schema}.monthly_product_sales (shop_id, month, product_id, currency, revenue, cost, units)
    select p_shop, date_trunc('month', day)::date, product_id, currency, sum(revenue), sum(cost), sum(units)
      from rebuild_agg where by_product
     group by date_trunc('month', day)::date, product_id, currency
     order by currency, 1, product_id;
end;
$$;
