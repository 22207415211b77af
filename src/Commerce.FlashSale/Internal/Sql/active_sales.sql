-- The sales the background workers look after: not retired and within their Redis retention on the sale clock (@now,
-- as in sale_health.sql).
select id from {schema}.sales where retired_at is null and ends_at > coalesce(@now, now()) - @retention
