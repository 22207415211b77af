-- Writes one order version (the caller decided it is newer: is_newer).
insert into {schema}.orders (shop_id, order_id, platform, status, counted, currency, created_at, updated_at, status_updated_at, snapshot_status,
                         discount, shipping, tax, platform_fee)
values (@shop, @order, @platform, @status, @counted, @currency, @created, @updated, @status_updated, @snapshot_status,
        @discount, @shipping, @tax, @platform_fee)
on conflict (shop_id, order_id) do update
   set platform = excluded.platform, status = excluded.status, counted = excluded.counted,
       currency = excluded.currency, created_at = excluded.created_at, updated_at = excluded.updated_at,
       status_updated_at = excluded.status_updated_at, snapshot_status = excluded.snapshot_status,
       discount = excluded.discount, shipping = excluded.shipping, tax = excluded.tax, platform_fee = excluded.platform_fee
