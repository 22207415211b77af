-- What PostgreSQL knows of a sale's Redis state: its epoch and the highest journal sequence number applied of each
-- bucket, and whether it still needs looking after: ended less than the Redis retention ago on the sale clock (@now:
-- the TimeProvider's in that clock mode; null for Redis' clock, for which PostgreSQL's stands in, one for every instance).
select s.epoch,
       array(select coalesce(p.journal_seq, 0)
               from generate_series(0, s.buckets - 1) b
               left join {schema}.sale_progress p on p.sale_id = s.id and p.bucket = b
              order by b),
       s.retired_at is null and s.ends_at > coalesce(@now, now()) - @retention
  from {schema}.sales s
 where s.id = @sale
