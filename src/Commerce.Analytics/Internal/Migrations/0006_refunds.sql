-- Refunds are events on their own day (Shopify's and WooCommerce's definitions). An order that was paid stays a sale
-- on its day whatever happens to it later; a refund is booked as returns on the day it happened: a partial refund
-- (order_refunds) with its amounts, a full refund (status refunded, or cancelled after payment) with what partial
-- refunds left. A refund never changes a past period. An order cancelled before payment never counts.
--
-- orders.counted now means "was paid": true once any event of the order shows it paid (paid, shipped, completed,
-- refunded) or a refund of it arrives, whatever the order the events arrive in, and never false again.
-- orders.refunded_at dates a full refund, while the status is cancelled or refunded: the earliest cancelled or refunded
-- event at or after the latest other event (active_at: pending, paid, shipped, completed), from the times of every
-- cancelled or refunded event seen (refund_times), whatever their arrival order (full_refund_at). All three are kept
-- the same way for a status change waiting for its order.

alter table {schema}.orders add column refunded_at timestamptz null, add column active_at timestamptz null,
    add column refund_times timestamptz[] null;
alter table {schema}.pending_status_changes add column refunded_at timestamptz null, add column active_at timestamptz null,
    add column refund_times timestamptz[] null;
update {schema}.orders set counted = true where status = 'refunded';
update {schema}.orders set refunded_at = status_updated_at, refund_times = array[status_updated_at] where status in ('cancelled', 'refunded');
update {schema}.pending_status_changes set counted = true where status = 'refunded';
update {schema}.pending_status_changes set refunded_at = updated_at, refund_times = array[updated_at] where status in ('cancelled', 'refunded');

-- The union of two sets of event times (sorted, without nulls or duplicates; null when empty). Adding nothing to a set
-- (the usual case: most orders have no refund) costs no sub-query.
create function {schema}.times_add(a timestamptz[], b timestamptz[]) returns timestamptz[]
language sql immutable parallel safe
return case when b is null then a
            else (select array_agg(distinct t order by t) from unnest(coalesce(a, '{}') || b) as x(t) where t is not null) end;

-- When a full refund happened: the earliest cancelled or refunded event not older than the latest other event (at the
-- same instant the refund is the later stage: is_newer).
create function {schema}.full_refund_at(refund_times timestamptz[], active_at timestamptz) returns timestamptz
language sql immutable parallel safe
return case when refund_times is null then null
            else (select min(t) from unnest(refund_times) as x(t) where active_at is null or t >= active_at) end;

create table {schema}.order_refunds (
    shop_id text not null,
    order_id text not null,
    refund_id text not null,
    refunded_at timestamptz not null,
    shipping numeric(19, 4) not null,
    primary key (shop_id, order_id, refund_id)
);

create index order_refunds_day on {schema}.order_refunds (shop_id, refunded_at);

create table {schema}.order_refund_lines (
    shop_id text not null,
    order_id text not null,
    refund_id text not null,
    line_no int not null,
    product_id text not null,
    quantity int not null,
    amount numeric(19, 4) not null,
    primary key (shop_id, order_id, refund_id, line_no)
);

create index orders_refunded on {schema}.orders (shop_id, refunded_at) where refunded_at is not null;

alter table {schema}.daily_sales add column returns numeric(19, 4) not null default 0;
alter table {schema}.daily_product_sales add column returns numeric(19, 4) not null default 0,
    add column returned_units int not null default 0;
alter table {schema}.monthly_product_sales add column returns numeric(19, 4) not null default 0,
    add column returned_units int not null default 0;
-- product reports over a range still read the index only
alter table {schema}.daily_product_sales drop constraint daily_product_sales_pkey,
    add primary key (shop_id, currency, day, product_id) include (revenue, cost, units, returns, returned_units);
alter table {schema}.monthly_product_sales drop constraint monthly_product_sales_pkey,
    add primary key (shop_id, currency, month, product_id) include (revenue, cost, units, returns, returned_units);

-- The one rule: what the given orders, as stored, contribute to the summaries, as rows by local day to be summed. A
-- row without a product is for daily_sales (by day and platform); a row with one is for the product tables. Each paid
-- order gives its sale on its creation day; each partial refund its returns on its own day (each unit's cost at the
-- time of sale back: the lowest unit cost of the product in the order); a full refund, on refunded_at's day, what the
-- partial refunds left: net sales, units at their (lowest) price and cost, shipping and tax. Sales, and full refunds
-- of orders without a partial refund (the whole order back), are summed per day in one pass over the lines (grouping
-- sets, each line once for its sale and once more for its refund); only orders with a partial refund are looked at
-- per order. A plain SQL function, so the planner inlines it into each caller.
create function {schema}.order_contributions(p_shop text, p_orders text[])
returns table (day date, platform text, currency text, product_id text, sales numeric, discounts numeric, returns numeric,
               shipping numeric, taxes numeric, fees numeric, cost numeric, units bigint, returned_units bigint, orders int)
language sql stable as $$
    with o as (
        select o.order_id, o.platform, o.currency, o.discount, o.shipping, o.tax, o.platform_fee, s.time_zone,
               (o.created_at at time zone s.time_zone)::date as sale_day,
               case when o.status in ('cancelled', 'refunded') then (o.refunded_at at time zone s.time_zone)::date end as refund_day,
               exists (select 1 from {schema}.order_refunds r where r.shop_id = p_shop and r.order_id = o.order_id) as partial
          from unnest(p_orders) as x(order_id)
          join {schema}.orders o on o.shop_id = p_shop and o.order_id = x.order_id
          join {schema}.shops s on s.shop_id = o.shop_id
         where o.counted),
    refunds as (
        select r.order_id, r.refund_id, (r.refunded_at at time zone o.time_zone)::date as day, r.shipping
          from o join {schema}.order_refunds r on r.shop_id = p_shop and r.order_id = o.order_id
         where o.partial),
    sold as (   -- per order with a partial refund, and product
        select l.order_id, l.product_id, sum(l.quantity) as q, sum(l.quantity * l.unit_price) as value, sum(l.quantity * l.unit_cost) as cost,
               min(l.unit_price) as unit_price, min(l.unit_cost) as unit_cost
          from o join {schema}.order_lines l on l.shop_id = p_shop and l.order_id = o.order_id
         where o.partial
         group by l.order_id, l.product_id),
    refunded as (   -- per partial refund and product, with the units' cost at the time of sale
        select r.order_id, r.refund_id, r.day, rl.product_id, sum(rl.quantity) as q, sum(rl.amount) as amount,
               sum(rl.quantity) * coalesce(min(s.unit_cost), 0) as cost
          from refunds r
          join {schema}.order_refund_lines rl on rl.shop_id = p_shop and rl.order_id = r.order_id and rl.refund_id = r.refund_id
          left join sold s on s.order_id = r.order_id and s.product_id = rl.product_id
         group by r.order_id, r.refund_id, r.day, rl.product_id),
    fully as (select * from o where refund_day is not null and partial),   -- fully refunded after a partial refund
    rest as (   -- what such a full refund gives back, per product: what partial refunds left
        select s.order_id, s.product_id,
               case when p.q is null then s.value else greatest(s.q - p.q, 0) * s.unit_price end as value,
               case when p.q is null then s.cost else greatest(s.q - p.q, 0) * s.unit_cost end as cost,
               greatest(s.q - coalesce(p.q, 0), 0) as q
          from sold s
          join fully o on o.order_id = s.order_id
          left join (select order_id, product_id, sum(q) as q from refunded group by order_id, product_id) p
                 on p.order_id = s.order_id and p.product_id = s.product_id),
    full_refunds as (   -- per such order: what it sold, what partial refunds gave back, what is left
        select o.order_id, o.refund_day, o.platform, o.currency, o.discount, o.shipping, o.tax,
               coalesce(sv.value, 0) as value, coalesce(pa.amount, 0) as partial_amount, coalesce(ps.shipping, 0) as partial_shipping,
               coalesce(rs.cost, 0) as rest_cost, coalesce(rs.q, 0)::bigint as rest_q
          from fully o
          left join (select order_id, sum(value) as value from sold group by order_id) sv on sv.order_id = o.order_id
          left join (select order_id, sum(amount) as amount from refunded group by order_id) pa on pa.order_id = o.order_id
          left join (select order_id, sum(shipping) as shipping from refunds group by order_id) ps on ps.order_id = o.order_id
          left join (select order_id, sum(cost) as cost, sum(q) as q from rest group by order_id) rs on rs.order_id = o.order_id)
    -- the orders' sales (k = 1, on their day) and whole-order full refunds (k = -1, on theirs): order-level amounts,
    -- by day and platform (an order without lines still counts); the refund gives back the discount's share of the
    -- lines' returns, the shipping and the tax
    select e.day, o.platform, o.currency, null::text, 0::numeric, sum(case when e.k = 1 then o.discount else 0 end),
           sum(case when e.k = -1 then -o.discount else 0 end), sum(e.k * o.shipping), sum(e.k * o.tax),
           sum(case when e.k = 1 then o.platform_fee else 0 end), 0::numeric, 0::bigint, 0::bigint, sum(case when e.k = 1 then 1 else 0 end)::int
      from o cross join lateral (values (o.sale_day, 1), (case when not o.partial then o.refund_day end, -1)) as e(day, k)
     where e.day is not null
     group by e.day, o.platform, o.currency
    union all   -- ... and their lines, by day and platform and by day and product, in one pass
    select e.day, case when grouping(o.platform) = 0 then o.platform end, o.currency, case when grouping(l.product_id) = 0 then l.product_id end,
           sum(case when e.k = 1 then l.quantity * l.unit_price else 0 end), 0, sum(case when e.k = -1 then l.quantity * l.unit_price else 0 end),
           0, 0, 0, sum(e.k * l.quantity * l.unit_cost), sum(case when e.k = 1 then l.quantity else 0 end),
           sum(case when e.k = -1 then l.quantity else 0 end), 0
      from o join {schema}.order_lines l on l.shop_id = p_shop and l.order_id = o.order_id
     cross join lateral (values (o.sale_day, 1), (case when not o.partial then o.refund_day end, -1)) as e(day, k)
     where e.day is not null
     group by grouping sets ((e.day, o.platform, o.currency), (e.day, o.currency, l.product_id))
    union all   -- partial refunds, by day and platform
    select r.day, o.platform, o.currency, null, 0, 0, coalesce(sum(x.amount), 0), -r.shipping, 0, 0, -coalesce(sum(x.cost), 0), 0, coalesce(sum(x.q), 0)::bigint, 0
      from refunds r join o on o.order_id = r.order_id left join refunded x on x.order_id = r.order_id and x.refund_id = r.refund_id
     group by r.order_id, r.refund_id, r.day, r.shipping, o.platform, o.currency
    union all   -- a full refund after partial ones, by day and platform
    select f.refund_day, f.platform, f.currency, null, 0, 0, greatest(f.value - f.discount - f.partial_amount, 0),
           -greatest(f.shipping - f.partial_shipping, 0), -f.tax, 0, -f.rest_cost, 0, f.rest_q, 0
      from full_refunds f
    union all   -- partial refunds, by day and product
    select x.day, null, o.currency, x.product_id, 0, 0, x.amount, 0, 0, 0, -x.cost, 0, x.q, 0
      from refunded x join o on o.order_id = x.order_id
    union all   -- a full refund after partial ones, by day and product
    select o.refund_day, null, o.currency, t.product_id, 0, 0, t.value, 0, 0, 0, -t.cost, 0, t.q, 0
      from rest t join fully o on o.order_id = t.order_id
$$;

-- The contribution of many orders (order_contributions), folded per summary row and written once per row, in key order.
-- JIT is off in these functions: the inlined rule's estimates are loose, and compiling it cost seconds of every call.
create or replace function {schema}.apply_orders_contribution(p_shop text, p_orders text[], p_sign int) returns void language plpgsql
set plan_cache_mode = force_generic_plan set jit = off as $$
begin
    with c as materialized (select * from {schema}.order_contributions(p_shop, p_orders)),
    sales as (
        insert into {schema}.daily_sales as t (shop_id, day, platform, currency, revenue, cost, orders, units, discounts, shipping, taxes, platform_fees, returns)
        select p_shop, day, platform, currency, p_sign * sum(sales), p_sign * sum(cost), p_sign * sum(orders), p_sign * sum(units),
               p_sign * sum(discounts), p_sign * sum(shipping), p_sign * sum(taxes), p_sign * sum(fees), p_sign * sum(returns)
          from c where product_id is null
         group by day, platform, currency
         order by currency, day, platform
        on conflict (shop_id, currency, day, platform) do update
           set revenue = t.revenue + excluded.revenue, cost = t.cost + excluded.cost,
               orders = t.orders + excluded.orders, units = t.units + excluded.units,
               discounts = t.discounts + excluded.discounts, shipping = t.shipping + excluded.shipping,
               taxes = t.taxes + excluded.taxes, platform_fees = t.platform_fees + excluded.platform_fees,
               returns = t.returns + excluded.returns),
    product_days as (
        insert into {schema}.daily_product_sales as t (shop_id, day, product_id, currency, revenue, cost, units, returns, returned_units)
        select p_shop, day, product_id, currency, p_sign * sum(sales), p_sign * sum(cost), p_sign * sum(units), p_sign * sum(returns), p_sign * sum(returned_units)
          from c where product_id is not null
         group by day, product_id, currency
         order by currency, day, product_id
        on conflict (shop_id, currency, day, product_id) do update
           set revenue = t.revenue + excluded.revenue, cost = t.cost + excluded.cost, units = t.units + excluded.units,
               returns = t.returns + excluded.returns, returned_units = t.returned_units + excluded.returned_units)
    insert into {schema}.monthly_product_sales as t (shop_id, month, product_id, currency, revenue, cost, units, returns, returned_units)
    select p_shop, date_trunc('month', day)::date, product_id, currency, p_sign * sum(sales), p_sign * sum(cost), p_sign * sum(units),
           p_sign * sum(returns), p_sign * sum(returned_units)
      from c where product_id is not null
     group by date_trunc('month', day)::date, product_id, currency
     order by currency, 2, product_id
    on conflict (shop_id, currency, month, product_id) do update
       set revenue = t.revenue + excluded.revenue, cost = t.cost + excluded.cost, units = t.units + excluded.units,
           returns = t.returns + excluded.returns, returned_units = t.returned_units + excluded.returned_units;
end;
$$;

-- Recomputes the summaries of a shop for local days [p_from, p_to] (months whole) from the base tables: the
-- contributions (order_contributions, the same rule) of every order sold, partially refunded or fully refunded in them.
create or replace function {schema}.rebuild_summaries(p_shop text, p_from date, p_to date) returns void language plpgsql
set plan_cache_mode = force_custom_plan set jit = off as $$
declare
    tz text := (select time_zone from {schema}.shops where shop_id = p_shop);
    first_month date := date_trunc('month', p_from)::date;
    last_month date := date_trunc('month', p_to)::date;
    lower_bound timestamptz := (first_month::timestamp at time zone tz);
    upper_bound timestamptz := ((last_month + interval '1 month')::timestamp at time zone tz);
    ids text[];
begin
    perform set_config('work_mem', '256MB', true);
    delete from {schema}.daily_sales where shop_id = p_shop and day between p_from and p_to;
    delete from {schema}.daily_product_sales where shop_id = p_shop and day between p_from and p_to;
    -- months are rebuilt whole, so a range that cuts a month still leaves it right
    delete from {schema}.monthly_product_sales where shop_id = p_shop and month between first_month and last_month;

    create temporary table if not exists rebuild_rows (day date, platform text, currency text, product_id text, sales numeric,
        discounts numeric, returns numeric, shipping numeric, taxes numeric, fees numeric, cost numeric, units bigint,
        returned_units bigint, orders int) on commit drop;
    truncate rebuild_rows;
    -- the orders in a variable: planned with its value, the function's joins are hash joins over the whole set
    ids := array(
            select order_id from {schema}.orders
             where shop_id = p_shop and counted and created_at >= lower_bound and created_at < upper_bound
            union
            select order_id from {schema}.orders
             where shop_id = p_shop and counted and refunded_at >= lower_bound and refunded_at < upper_bound
            union
            select order_id from {schema}.order_refunds
             where shop_id = p_shop and refunded_at >= lower_bound and refunded_at < upper_bound);
    insert into rebuild_rows
    select * from {schema}.order_contributions(p_shop, ids) c
     where c.day >= first_month and c.day < last_month + interval '1 month';

    insert into {schema}.daily_sales (shop_id, day, platform, currency, revenue, cost, orders, units, discounts, shipping, taxes, platform_fees, returns)
    select p_shop, day, platform, currency, sum(sales), sum(cost), sum(orders), sum(units), sum(discounts), sum(shipping), sum(taxes), sum(fees), sum(returns)
      from rebuild_rows where product_id is null and day between p_from and p_to
     group by day, platform, currency;

    insert into {schema}.daily_product_sales (shop_id, day, product_id, currency, revenue, cost, units, returns, returned_units)
    select p_shop, day, product_id, currency, sum(sales), sum(cost), sum(units), sum(returns), sum(returned_units)
      from rebuild_rows where product_id is not null and day between p_from and p_to
     group by day, product_id, currency
     order by currency, day, product_id;  -- heap in key order: range reads touch few pages

    insert into {schema}.monthly_product_sales (shop_id, month, product_id, currency, revenue, cost, units, returns, returned_units)
    select p_shop, date_trunc('month', day)::date, product_id, currency, sum(sales), sum(cost), sum(units), sum(returns), sum(returned_units)
      from rebuild_rows where product_id is not null
     group by date_trunc('month', day)::date, product_id, currency
     order by currency, 2, product_id;
end;
$$;

-- Every summary of a shop recomputed, over every day it has anything on (a time zone change, this migration).
create function {schema}.rebuild_shop(p_shop text) returns void language plpgsql as $$
declare
    tz text := (select time_zone from {schema}.shops where shop_id = p_shop);
    first_day date;
    last_day date;
begin
    delete from {schema}.daily_sales where shop_id = p_shop;
    delete from {schema}.daily_product_sales where shop_id = p_shop;
    delete from {schema}.monthly_product_sales where shop_id = p_shop;
    select min(d), max(d) into first_day, last_day from (
        select (created_at at time zone tz)::date as d from {schema}.orders where shop_id = p_shop
        union all
        select (refunded_at at time zone tz)::date from {schema}.orders where shop_id = p_shop and refunded_at is not null
        union all
        select (refunded_at at time zone tz)::date from {schema}.order_refunds where shop_id = p_shop) days;
    if first_day is not null then
        perform {schema}.rebuild_summaries(p_shop, first_day, last_day);
    end if;
end;
$$;

-- Refunded orders left every report before; now they stay sales on their day and give back on the refund's. (A shop
-- whose time zone PostgreSQL refuses is rebuilt when MigrateAsync repairs it.)
select {schema}.rebuild_shop(shop_id) from {schema}.shops where time_zone in (select name from pg_timezone_names);

-- The one-order wrapper of migration 0005 is no longer called: every caller passes an array to apply_orders_contribution.
drop function {schema}.apply_order_contribution(text, text, int);
