insert into {schema}.sales (id, shop_id, name, starts_at, ends_at, buckets, room_rate, room_lifetime_ms)
values (@id, @shop, @name, @starts, @ends, @buckets, @room_rate, @room_lifetime_ms)
on conflict (id) do nothing
