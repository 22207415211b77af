-- Retention, in bounded steps: deletes messages finished (delivered or failed) before @cutoff, with their attempts.
with deleted as (
    delete from {schema}.outbox
     where id in (select id from {schema}.outbox
                   where status <> 'pending' and finished_at < @cutoff
                   order by finished_at
                   limit @limit)
 returning 1)
select count(*) from deleted
