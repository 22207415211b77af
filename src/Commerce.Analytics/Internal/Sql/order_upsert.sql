-- Writes one order version (the caller decided it is newer: is_newer). Paid stays paid (a refund of the order
-- recorded before it arrived proves it too) and the earliest full refund is kept (migration 0006).
insert into {schema}.orders as t (shop_id, order_id, platform, status, counted, currency, created_at, updated_at, status_updated_at, snapshot_status,
                         discount, shipping, tax, platform_fee, refunded_at)
values (@shop, @order, @platform, @status,
        @counted or exists (select 1 from {schema}.order_refunds r where r.shop_id = @shop and r.order_id = @order),
        @currency, @created, @updated, @status_updated, @snapshot_status, @discount, @shipping, @tax, @platform_fee, @refunded_at)
on conflict (shop_id, order_id) do update
   set platform = excluded.platform, status = excluded.status, counted = t.counted or excluded.counted,
       currency = excluded.currency, created_at = excluded.created_at, updated_at = excluded.updated_at,
       status_updated_at = excluded.status_updated_at, snapshot_status = excluded.snapshot_status,
       discount = excluded.discount, shipping = excluded.shipping, tax = excluded.tax, platform_fee = excluded.platform_fee,
       refunded_at = least(t.refunded_at, excluded.refunded_at)
