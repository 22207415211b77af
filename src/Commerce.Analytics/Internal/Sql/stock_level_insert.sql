-- A stock level in the product's history (the set of levels reported, whatever their arrival order).
insert into {schema}.stock_levels (shop_id, product_id, at, stock) values (@shop, @product, @at, @stock) on conflict do nothing
