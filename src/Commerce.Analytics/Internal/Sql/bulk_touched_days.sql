-- The local days the written orders had or have anything on (sale, full refund, partial refunds), for the summaries to rebuild.
with touched as (
    select order_id, created_at, old_created_at, refunded_at, old_refunded_at from tmp_changed
    union all
    select order_id, created_at, null, refunded_at, old_refunded_at from tmp_flagged)
select distinct day from (
    select (t.at at time zone s.time_zone)::date as day
      from touched, lateral (values (created_at), (old_created_at), (refunded_at), (old_refunded_at)) as t(at), {schema}.shops s
     where s.shop_id = @shop and t.at is not null
    union
    select (r.refunded_at at time zone s.time_zone)::date
      from {schema}.order_refunds r join touched using (order_id), {schema}.shops s
     where r.shop_id = @shop and s.shop_id = @shop) d
order by day
