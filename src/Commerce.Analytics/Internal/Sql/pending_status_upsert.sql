-- Keeps a status change of an order not seen yet: its status if newer than one kept before (is_newer), and in any
-- case its evidence (paid, the earliest full refund: migration 0006). No row changes when it adds nothing.
insert into {schema}.pending_status_changes as p (shop_id, order_id, status, counted, updated_at, refunded_at)
values (@shop, @order, @status, @counted, @at, @refunded_at)
on conflict (shop_id, order_id) do update
   set status = case when {schema}.is_newer(excluded.updated_at, excluded.status, p.updated_at, p.status) then excluded.status else p.status end,
       updated_at = case when {schema}.is_newer(excluded.updated_at, excluded.status, p.updated_at, p.status) then excluded.updated_at else p.updated_at end,
       counted = p.counted or excluded.counted,
       refunded_at = least(p.refunded_at, excluded.refunded_at)
 where {schema}.is_newer(excluded.updated_at, excluded.status, p.updated_at, p.status)
    or (excluded.counted and not p.counted)
    or excluded.refunded_at < coalesce(p.refunded_at, 'infinity')
