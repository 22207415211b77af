insert into {schema}.sales (id, shop_id, name, starts_at, ends_at) values (@id, @shop, @name, @starts, @ends)
on conflict (id) do nothing
