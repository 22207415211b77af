-- A product deleted: kept as a tombstone, if newer than what is stored (an older update can't bring it back).
insert into {schema}.products as p (shop_id, product_id, deleted, first_seen_at, updated_at, stock_updated_at)
values (@shop, @product, true, @at, @at, '-infinity')
on conflict (shop_id, product_id) do update set deleted = true, updated_at = excluded.updated_at
where p.updated_at < excluded.updated_at
