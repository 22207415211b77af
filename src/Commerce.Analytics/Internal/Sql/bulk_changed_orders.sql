-- The orders a bulk sync or batch writes: the newest version of each in the input (is_newer), a newer pending status change
-- or stored status applied, kept only if newer than the stored snapshot. Every version in the input, pending change,
-- stored row and recorded refund is evidence: paid stays paid, and when a full refund happened (migration 0006).
-- The newest version of each order in the input, with the input's evidence per order (every version of it), from
-- one sort: the window is each order's versions in the sort's order. key_order increases with order_id, for the lines
-- to be sorted by an int; the numbering follows the same sort.
create temporary table tmp_winners on commit drop as
select *, {schema}.times_add(null, input_refunds) as input_refund_times,   -- once per order, not per version
       row_number() over (order by order_id) as key_order from (
    select distinct on (order_id) *,
           bool_or(counted) over versions as paid,
           max(updated_at) filter (where status not in ('cancelled', 'refunded')) over versions as input_active_at,
           array_agg(updated_at) filter (where status in ('cancelled', 'refunded')) over versions as input_refunds
      from tmp_orders
    window versions as (partition by order_id order by updated_at desc, {schema}.status_rank(status) desc
                        rows between unbounded preceding and unbounded following)
     order by order_id, updated_at desc, {schema}.status_rank(status) desc) newest;
create temporary table tmp_changed on commit drop as
select w.order_id, w.platform,
       case when {schema}.is_newer(p.updated_at, p.status, w.updated_at, w.status) then p.status
            when {schema}.is_newer(o.status_updated_at, o.status, w.updated_at, w.status) then o.status
            else w.status end as status,
       w.paid or coalesce(p.counted, false) or coalesce(o.counted, false)
           or exists (select 1 from {schema}.order_refunds r where r.shop_id = @shop and r.order_id = w.order_id) as counted,
       greatest(w.input_active_at, p.active_at, o.active_at) as active_at,
       {schema}.times_add({schema}.times_add(w.input_refund_times, p.refund_times), o.refund_times) as refund_times,
       {schema}.full_refund_at({schema}.times_add({schema}.times_add(w.input_refund_times, p.refund_times), o.refund_times),
                               greatest(w.input_active_at, p.active_at, o.active_at)) as refunded_at,
       w.currency, w.created_at, w.updated_at, w.discount, w.shipping, w.tax, w.platform_fee,
       greatest(w.updated_at, p.updated_at, o.status_updated_at) as status_updated_at,
       w.seq as lines_seq, w.key_order, w.status as snapshot_status, o.created_at as old_created_at, o.refunded_at as old_refunded_at
  from tmp_winners w
  left join {schema}.orders o on o.shop_id = @shop and o.order_id = w.order_id
  left join {schema}.pending_status_changes p on p.shop_id = @shop and p.order_id = w.order_id
 where o.order_id is null or {schema}.is_newer(w.updated_at, w.status, o.updated_at, o.snapshot_status);
-- Stored orders whose input versions are all older, but which prove the order paid or tell more about its full refund.
create temporary table tmp_flagged on commit drop as
select o.order_id, o.created_at, o.refunded_at as old_refunded_at, o.counted as old_counted, o.active_at as old_active_at,
       o.refund_times as old_refund_times, o.counted or e.paid as counted,
       greatest(o.active_at, e.input_active_at) as active_at, {schema}.times_add(o.refund_times, e.input_refund_times) as refund_times,
       {schema}.full_refund_at({schema}.times_add(o.refund_times, e.input_refund_times), greatest(o.active_at, e.input_active_at)) as refunded_at
  from tmp_winners e
  join {schema}.orders o on o.shop_id = @shop and o.order_id = e.order_id
 where not exists (select 1 from tmp_changed c where c.order_id = e.order_id)
   and ((e.paid and not o.counted) or e.input_active_at > coalesce(o.active_at, '-infinity')
        or not (coalesce(e.input_refund_times, '{}') <@ coalesce(o.refund_times, '{}')));
