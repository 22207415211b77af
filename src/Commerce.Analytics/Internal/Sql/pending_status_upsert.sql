-- Keeps a status change of an order not seen yet, if newer than one kept before (is_newer).
insert into {schema}.pending_status_changes as p (shop_id, order_id, status, counted, updated_at)
values (@shop, @order, @status, @counted, @at)
on conflict (shop_id, order_id) do update set status = excluded.status, counted = excluded.counted, updated_at = excluded.updated_at
where {schema}.is_newer(excluded.updated_at, excluded.status, p.updated_at, p.status)
