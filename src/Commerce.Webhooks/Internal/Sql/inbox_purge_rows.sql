-- Retention, in bounded steps: deletes messages processed before @cutoff (their ids no longer deduplicate). Dead
-- messages are kept for operators. Returns how many.
with deleted as (
    delete from {schema}.inbox
     where id in (select id from {schema}.inbox
                   where status = 'processed' and processed_at < @cutoff
                   order by processed_at
                   limit @limit)
 returning 1)
select count(*) from deleted
