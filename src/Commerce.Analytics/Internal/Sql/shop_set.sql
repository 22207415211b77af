-- Sets a shop's time zone, and its currency unless none is given.
insert into {schema}.shops (shop_id, time_zone, currency) values (@shop, @tz, @currency)
on conflict (shop_id) do update set time_zone = excluded.time_zone, currency = coalesce(excluded.currency, {schema}.shops.currency)
