-- Whether PostgreSQL knows the default time zone (first row), and every shop whose time zone it does not know.
select @tz in (select name from pg_timezone_names), null, null
union all
select null, shop_id, time_zone from {schema}.shops where time_zone not in (select name from pg_timezone_names)
