-- Starts a new epoch for a rebuild: waits for drains and confirmations of the old epoch to commit, and makes every
-- later one of them fail its fence check. Returns the new epoch and what PostgreSQL has applied so far of each bucket.
update {schema}.sales s
   set epoch = s.epoch + 1, updated_at = now()
 where s.id = @sale
returning s.epoch,
          array(select coalesce(p.journal_seq, 0)
                  from generate_series(0, s.buckets - 1) b
                  left join {schema}.sale_progress p on p.sale_id = s.id and p.bucket = b
                 order by b)
