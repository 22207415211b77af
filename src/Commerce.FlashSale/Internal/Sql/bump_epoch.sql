-- Starts a new epoch for a rebuild: waits for drains and confirmations of the old epoch to commit, and makes every
-- later one of them fail its fence check. Returns the new epoch and what PostgreSQL has applied so far.
update {schema}.sales s
   set epoch = s.epoch + 1, updated_at = now()
 where s.id = @sale
returning s.epoch,
          coalesce((select journal_seq from {schema}.sale_progress p where p.sale_id = s.id), 0)
