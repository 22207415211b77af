-- Writes one order version (the caller decided it is newer: is_newer). Paid stays paid (a refund of the order
-- recorded before it arrived proves it too); the evidence of when a full refund happened is merged (migration 0006):
-- @active_at and @refunded_at are this event's (null unless its status is of that kind), @pending_* a kept change's.
insert into {schema}.orders as t (shop_id, order_id, platform, status, counted, currency, created_at, updated_at, status_updated_at, snapshot_status,
                         discount, shipping, tax, platform_fee, active_at, refund_times, refunded_at)
values (@shop, @order, @platform, @status,
        @counted or exists (select 1 from {schema}.order_refunds r where r.shop_id = @shop and r.order_id = @order),
        @currency, @created, @updated, @status_updated, @snapshot_status, @discount, @shipping, @tax, @platform_fee,
        greatest(@active_at, @pending_active_at), {schema}.times_add(@pending_refund_times, array[@refunded_at]),
        {schema}.full_refund_at({schema}.times_add(@pending_refund_times, array[@refunded_at]), greatest(@active_at, @pending_active_at)))
on conflict (shop_id, order_id) do update
   set platform = excluded.platform, status = excluded.status, counted = t.counted or excluded.counted,
       currency = excluded.currency, created_at = excluded.created_at, updated_at = excluded.updated_at,
       status_updated_at = excluded.status_updated_at, snapshot_status = excluded.snapshot_status,
       discount = excluded.discount, shipping = excluded.shipping, tax = excluded.tax, platform_fee = excluded.platform_fee,
       active_at = greatest(t.active_at, excluded.active_at),
       refund_times = {schema}.times_add(t.refund_times, excluded.refund_times),
       refunded_at = {schema}.full_refund_at({schema}.times_add(t.refund_times, excluded.refund_times), greatest(t.active_at, excluded.active_at))
