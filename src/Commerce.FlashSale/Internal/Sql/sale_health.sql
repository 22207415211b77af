-- What PostgreSQL knows of a sale's Redis state: its epoch and the highest journal sequence number applied, and
-- whether it still needs looking after.
select s.epoch,
       coalesce((select journal_seq from {schema}.sale_progress p where p.sale_id = s.id), 0),
       s.retired_at is null and s.ends_at > now() - @retention
  from {schema}.sales s
 where s.id = @sale
