select shop_id, name, starts_at, ends_at, cancelled_at, epoch, buckets, room_rate, room_lifetime_ms from {schema}.sales where id = @id;
select product_id, stock, price, per_user_limit, reserved_units, confirmed_units from {schema}.sale_items where sale_id = @id order by product_id;
select id, user_id, product_id, quantity, state, version, created_at, expires_at from {schema}.reservations where sale_id = @id;
select entry_id, seq, error from {schema}.journal_dead_letters where sale_id = @id order by parked_at
