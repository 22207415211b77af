insert into {schema}.sales (id, shop_id, name, starts_at, ends_at, buckets) values (@id, @shop, @name, @starts, @ends, @buckets)
on conflict (id) do nothing
