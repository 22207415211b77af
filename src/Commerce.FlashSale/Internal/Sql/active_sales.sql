-- The sales the background workers look after: not retired and within their Redis retention.
select id from {schema}.sales where retired_at is null and ends_at > now() - @retention
