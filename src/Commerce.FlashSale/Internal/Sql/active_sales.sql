-- The sales the background workers look after: not retired and within their Redis retention (@ended_after: now less
-- the retention, on the sale clock, not PostgreSQL's).
select id from {schema}.sales where retired_at is null and ends_at > @ended_after
