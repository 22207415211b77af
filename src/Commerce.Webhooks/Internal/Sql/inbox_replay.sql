-- Sends a dead message back to processing, attempts reset.
update {schema}.inbox
   set status = 'pending', attempts = 0, next_attempt_at = @now, locked_until = null, claim_token = null
 where id = @id and status = 'dead'
