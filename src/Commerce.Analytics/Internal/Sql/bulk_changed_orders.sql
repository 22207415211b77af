-- The orders a bulk sync or batch writes: the newest version of each in the input (is_newer), a newer pending status change
-- or stored status applied, kept only if newer than the stored snapshot. Every version in the input, pending change,
-- stored row and recorded refund is evidence: paid stays paid, and when a full refund happened (migration 0006).
-- The input's evidence per order, aggregated once for both tables below.
create temporary table tmp_evidence on commit drop as
select order_id, bool_or(counted) as paid, max(updated_at) filter (where status not in ('cancelled', 'refunded')) as active_at,
       {schema}.times_add(null, array_agg(updated_at) filter (where status in ('cancelled', 'refunded'))) as refund_times
  from tmp_orders group by order_id;
create temporary table tmp_changed on commit drop as
with winners as (
    -- key_order: increasing with order_id (numbered over the same sort), for the lines to be sorted by an int
    select distinct on (order_id) *, row_number() over (order by order_id) as key_order from tmp_orders
     order by order_id, updated_at desc, {schema}.status_rank(status) desc)
select w.order_id, w.platform,
       case when {schema}.is_newer(p.updated_at, p.status, w.updated_at, w.status) then p.status
            when {schema}.is_newer(o.status_updated_at, o.status, w.updated_at, w.status) then o.status
            else w.status end as status,
       e.paid or coalesce(p.counted, false) or coalesce(o.counted, false)
           or exists (select 1 from {schema}.order_refunds r where r.shop_id = @shop and r.order_id = w.order_id) as counted,
       greatest(e.active_at, p.active_at, o.active_at) as active_at,
       {schema}.times_add({schema}.times_add(e.refund_times, p.refund_times), o.refund_times) as refund_times,
       {schema}.full_refund_at({schema}.times_add({schema}.times_add(e.refund_times, p.refund_times), o.refund_times),
                               greatest(e.active_at, p.active_at, o.active_at)) as refunded_at,
       w.currency, w.created_at, w.updated_at, w.discount, w.shipping, w.tax, w.platform_fee,
       greatest(w.updated_at, p.updated_at, o.status_updated_at) as status_updated_at,
       w.seq as lines_seq, w.key_order, w.status as snapshot_status, o.created_at as old_created_at, o.refunded_at as old_refunded_at
  from winners w
  join tmp_evidence e on e.order_id = w.order_id
  left join {schema}.orders o on o.shop_id = @shop and o.order_id = w.order_id
  left join {schema}.pending_status_changes p on p.shop_id = @shop and p.order_id = w.order_id
 where o.order_id is null or {schema}.is_newer(w.updated_at, w.status, o.updated_at, o.snapshot_status);
-- Stored orders whose input versions are all older, but which prove the order paid or tell more about its full refund.
create temporary table tmp_flagged on commit drop as
select o.order_id, o.created_at, o.refunded_at as old_refunded_at, o.counted as old_counted, o.active_at as old_active_at,
       o.refund_times as old_refund_times, o.counted or e.paid as counted,
       greatest(o.active_at, e.active_at) as active_at, {schema}.times_add(o.refund_times, e.refund_times) as refund_times,
       {schema}.full_refund_at({schema}.times_add(o.refund_times, e.refund_times), greatest(o.active_at, e.active_at)) as refunded_at
  from tmp_evidence e
  join {schema}.orders o on o.shop_id = @shop and o.order_id = e.order_id
 where not exists (select 1 from tmp_changed c where c.order_id = e.order_id)
   and ((e.paid and not o.counted) or e.active_at > coalesce(o.active_at, '-infinity')
        or not (coalesce(e.refund_times, '{}') <@ coalesce(o.refund_times, '{}')));
