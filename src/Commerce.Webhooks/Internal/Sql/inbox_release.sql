-- Gives back claimed messages at once (the host is stopping), so another processor need not wait for the lease.
update {schema}.inbox
   set locked_until = null, claim_token = null
 where id = any(@ids) and claim_token = @token and status = 'pending'
