-- A stock level, if newer than the stored stock version (independent of the product's details).
insert into {schema}.products as p (shop_id, product_id, stock, first_seen_at, updated_at, stock_updated_at)
values (@shop, @product, @stock, @at, '-infinity', @at)
on conflict (shop_id, product_id) do update set stock = excluded.stock, stock_updated_at = excluded.stock_updated_at
where p.stock_updated_at < excluded.stock_updated_at
