-- Keeps a status change of an order not seen yet: its status if newer than one kept before (is_newer), and in any
-- case its evidence (paid; when a full refund happened: migration 0006). No row changes when it adds nothing.
insert into {schema}.pending_status_changes as p (shop_id, order_id, status, counted, updated_at, active_at, refund_times)
values (@shop, @order, @status, @counted, @at, @active_at, {schema}.times_add(null, array[@refunded_at]))
on conflict (shop_id, order_id) do update
   set status = case when {schema}.is_newer(excluded.updated_at, excluded.status, p.updated_at, p.status) then excluded.status else p.status end,
       updated_at = case when {schema}.is_newer(excluded.updated_at, excluded.status, p.updated_at, p.status) then excluded.updated_at else p.updated_at end,
       counted = p.counted or excluded.counted,
       active_at = greatest(p.active_at, excluded.active_at),
       refund_times = {schema}.times_add(p.refund_times, excluded.refund_times)
 where {schema}.is_newer(excluded.updated_at, excluded.status, p.updated_at, p.status)
    or (excluded.counted and not p.counted)
    or excluded.active_at > coalesce(p.active_at, '-infinity')
    or not (coalesce(excluded.refund_times, '{}') <@ coalesce(p.refund_times, '{}'))
