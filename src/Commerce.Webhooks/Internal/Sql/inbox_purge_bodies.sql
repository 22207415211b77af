-- Retention, in bounded steps: drops the bodies and headers of messages processed before @cutoff; the row stays, so
-- its message id still deduplicates. Returns how many.
with purged as (
    update {schema}.inbox
       set body = ''::bytea, headers = '{}'::jsonb, purged_at = @now
     where id in (select id from {schema}.inbox
                   where status = 'processed' and processed_at < @cutoff and purged_at is null
                   order by processed_at
                   limit @limit)
 returning 1)
select count(*) from purged
