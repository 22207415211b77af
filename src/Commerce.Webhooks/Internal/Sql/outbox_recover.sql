-- Sends again every failed message of an endpoint created since @since, attempts reset. Returns how many.
with recovered as (
    update {schema}.outbox
       set status = 'pending', attempts = 0, next_attempt_at = @now, locked_until = null, claim_token = null, finished_at = null
     where endpoint_id = @endpoint and status = 'failed' and created_at >= @since
 returning 1)
select count(*) from recovered
