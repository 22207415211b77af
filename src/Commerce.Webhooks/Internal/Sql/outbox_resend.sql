-- Sends a finished message (delivered or failed) again, attempts reset.
update {schema}.outbox
   set status = 'pending', attempts = 0, next_attempt_at = @now, locked_until = null, claim_token = null,
       delivered_at = null, finished_at = null
 where id = @id and status <> 'pending'
